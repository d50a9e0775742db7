/**
 * What the Electron preload exposes to the renderer as `window.viridian`
 * (a fixed allowlist; nothing else crosses the context bridge).
 *
 * The engine itself is reached over a MessagePort: after `requestEnginePort()`
 * the preload posts `{ type: ENGINE_PORT_MESSAGE }` to the window with the
 * port transferred, and the renderer wraps it in an EngineClient transport.
 */
export const ENGINE_PORT_MESSAGE = 'viridian:engine-port';

/** Engine lifecycle as the shell sees it (banner while not 'up'). */
export type EngineLifecycle = { state: 'up' } | { state: 'restarting'; reason: string } | { state: 'failed'; reason: string };

/** Menu commands the application menu sends to the renderer. */
export const MENU_COMMANDS = [
  'new-vm',
  'new-disk',
  'connect-server',
  'refresh',
  'action-start',
  'action-turnOff',
  'action-shutDown',
  'action-save',
  'action-pause',
  'action-resume',
  'action-reset',
  'action-settings',
  'action-rename',
  'action-delete',
  'action-connect',
  'toggle-actions-pane',
  'about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export interface ViridianBridge {
  readonly platform: 'electron';
  readonly version: string;
  requestEnginePort(): void;
  onEngineLifecycle(cb: (state: EngineLifecycle) => void): () => void;
  onMenuCommand(cb: (cmd: MenuCommand) => void): () => void;
  /** Opens a VM Connection window for the VM (issue: snapshots & VM Connection). */
  openVmConnection(vmId: string): void;
}
