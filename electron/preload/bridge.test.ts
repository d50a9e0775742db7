import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type EngineLifecycle, type MenuCommand } from '../../core/contract/bridge';
import { IPC } from '../ipc-channels';
import { BRIDGE_KEYS, createBridge, type BridgeIpc } from './bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc() {
  const sent: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: BridgeIpc = {
    send: (channel, ...args) => void sent.push([channel, ...args]),
    on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, value: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'ipcRenderer' }, value);
  };
  return { ipc, sent, listeners, emit };
}

describe('preload bridge', () => {
  it('exposes exactly the ViridianBridge allowlist', () => {
    const bridge = createBridge(fakeIpc().ipc, '1.2.3');
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_KEYS]);
    expect(bridge.platform).toBe('electron');
    expect(bridge.version).toBe('1.2.3');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('asks main for an engine port', () => {
    const f = fakeIpc();
    createBridge(f.ipc, '0').requestEnginePort();
    expect(f.sent).toEqual([[IPC.requestEnginePort]]);
  });

  it('passes on known menu commands only, and unsubscribes', () => {
    const f = fakeIpc();
    const got: MenuCommand[] = [];
    const off = createBridge(f.ipc, '0').onMenuCommand((c) => got.push(c));
    for (const c of MENU_COMMANDS) f.emit(IPC.menuCommand, c);
    f.emit(IPC.menuCommand, 'rm -rf');
    f.emit(IPC.menuCommand, { cmd: 'new-vm' });
    f.emit(IPC.menuCommand, 'toString');
    expect(got).toEqual([...MENU_COMMANDS]);
    off();
    f.emit(IPC.menuCommand, 'about');
    expect(got).toHaveLength(MENU_COMMANDS.length);
    expect(f.listeners.get(IPC.menuCommand)?.size).toBe(0);
  });

  it('passes on well-formed lifecycle updates without the IPC event', () => {
    const f = fakeIpc();
    const got: EngineLifecycle[] = [];
    createBridge(f.ipc, '0').onEngineLifecycle((l) => got.push(l));
    f.emit(IPC.engineLifecycle, { state: 'restarting', reason: 'crashed' });
    f.emit(IPC.engineLifecycle, { state: 'up' });
    f.emit(IPC.engineLifecycle, { state: 'failed' });
    f.emit(IPC.engineLifecycle, { state: 'exploded', reason: 'x' });
    f.emit(IPC.engineLifecycle, null);
    expect(got).toEqual([{ state: 'restarting', reason: 'crashed' }, { state: 'up' }]);
  });

  it('validates the VM id for openVmConnection', () => {
    const f = fakeIpc();
    const bridge = createBridge(f.ipc, '0');
    bridge.openVmConnection('vm-1');
    expect(f.sent).toEqual([[IPC.openVmConnection, 'vm-1']]);
    expect(() => bridge.openVmConnection('')).toThrow(TypeError);
    expect(() => bridge.openVmConnection(42 as unknown as string)).toThrow(TypeError);
    expect(f.sent).toHaveLength(1);
  });
});
