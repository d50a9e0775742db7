import { MENU_COMMANDS, type EngineLifecycle, type MenuCommand, type ViridianBridge } from '../../core/contract/bridge';
import { IPC } from '../ipc-channels';

/** The slice of ipcRenderer the bridge uses (a fake in tests). */
export interface BridgeIpc {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const COMMANDS: ReadonlySet<string> = new Set(MENU_COMMANDS);

function isMenuCommand(v: unknown): v is MenuCommand {
  return typeof v === 'string' && COMMANDS.has(v);
}

function isLifecycle(v: unknown): v is EngineLifecycle {
  if (typeof v !== 'object' || v === null) return false;
  const { state, reason } = v as { state?: unknown; reason?: unknown };
  if (state === 'up') return true;
  return (state === 'restarting' || state === 'failed') && typeof reason === 'string';
}

/**
 * `window.viridian`: exactly the ViridianBridge allowlist. Callbacks get
 * plain validated values, never the IpcRendererEvent (which would leak
 * `sender`, i.e. ipcRenderer itself, to the page).
 */
export function createBridge(ipc: BridgeIpc, version: string): ViridianBridge {
  const subscribe = <T>(channel: string, valid: (v: unknown) => v is T, cb: (value: T) => void): (() => void) => {
    const listener = (_event: unknown, value: unknown): void => {
      if (valid(value)) cb(value);
    };
    ipc.on(channel, listener);
    return () => {
      ipc.removeListener(channel, listener);
    };
  };
  const bridge: ViridianBridge = {
    platform: 'electron',
    version,
    requestEnginePort: () => ipc.send(IPC.requestEnginePort),
    onEngineLifecycle: (cb) => subscribe(IPC.engineLifecycle, isLifecycle, cb),
    onMenuCommand: (cb) => subscribe(IPC.menuCommand, isMenuCommand, cb),
    openVmConnection: (vmId) => {
      if (typeof vmId !== 'string' || vmId.length === 0 || vmId.length > 300) throw new TypeError('openVmConnection needs a VM id.');
      ipc.send(IPC.openVmConnection, vmId);
    },
  };
  return Object.freeze(bridge);
}

/** The keys a page may see on `window.viridian` (the e2e test checks the live object against this). */
export const BRIDGE_KEYS = ['onEngineLifecycle', 'onMenuCommand', 'openVmConnection', 'platform', 'requestEnginePort', 'version'] as const;
