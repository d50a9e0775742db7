import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineApi } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { emptyConsoleData, loadSnapshot } from '../state/console-store';
import { uiStore } from '../state/ui-store';
import { makeSnapshot, makeVm } from '../test-support/fixtures';
import { runMenuCommand } from './menu-commands';

const engine = (): EngineApi => ({ call: vi.fn(() => Promise.resolve({}) as never), shell: 'electron', refresh: vi.fn(), reconnect: vi.fn() });

describe('application menu commands', () => {
  beforeEach(() => {
    consoleStore.setState(emptyConsoleData());
    uiStore.setState({ dialog: null, selectedIds: new Set() });
  });

  it('opens the wizards and dialogs', () => {
    runMenuCommand(engine(), 'new-vm');
    expect(uiStore.getState().dialog).toEqual({ kind: 'newVm' });
    runMenuCommand(engine(), 'new-disk');
    expect(uiStore.getState().dialog).toEqual({ kind: 'newDisk' });
  });

  it('runs a VM action only when the selection’s state allows it', () => {
    const vm = makeVm('a', 'Off');
    loadSnapshot(consoleStore, makeSnapshot([vm]));
    uiStore.setState({ selectedIds: new Set([vm.id]) });
    const e = engine();
    runMenuCommand(e, 'action-save'); // not allowed when Off
    expect(e.call).not.toHaveBeenCalled();
    runMenuCommand(e, 'action-start');
    expect(e.call).toHaveBeenCalledWith('vm.action', { vm: vm.id, action: 'start' });
  });

  it('refreshes and toggles the Actions pane', () => {
    const e = engine();
    runMenuCommand(e, 'refresh');
    expect(e.refresh).toHaveBeenCalled();
    const before = uiStore.getState().panes.actions;
    runMenuCommand(e, 'toggle-actions-pane');
    expect(uiStore.getState().panes.actions).toBe(!before);
  });
});
