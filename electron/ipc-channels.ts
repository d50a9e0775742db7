/**
 * IPC channel names shared by the main process and the preload. The renderer
 * never sees them: it only has the `window.viridian` bridge.
 */
export const IPC = {
  /** renderer → main: please send me a fresh engine MessagePort. */
  requestEnginePort: 'viridian:request-engine-port',
  /** main → renderer: the port, in `event.ports[0]`. */
  enginePort: 'viridian:engine-port',
  /** main → renderer: EngineLifecycle. */
  engineLifecycle: 'viridian:engine-lifecycle',
  /** main → renderer: MenuCommand. */
  menuCommand: 'viridian:menu-command',
  /** renderer → main: open a VM Connection window for a VM id. */
  openVmConnection: 'viridian:open-vm-connection',
} as const;
