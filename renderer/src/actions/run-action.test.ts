import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ViridianError } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { uiStore } from '../state/ui-store';
import { snapshotUi } from '../snapshots/snapshot-ui';
import { makeVm } from '../test-support/fixtures';
import { performSimpleAction, requestVmAction } from './run-action';

function engine(call: EngineApi['call'] = vi.fn(() => Promise.resolve({}) as never)): EngineApi {
  return { call, shell: 'browser', refresh: vi.fn(), reconnect: vi.fn() };
}

describe('requestVmAction', () => {
  beforeEach(() => uiStore.setState({ dialog: null, errors: [] }));

  it('takes a snapshot at once and asks before Revert (vm-connection/route.test.ts covers Connect)', async () => {
    const call = vi.fn((m: string) => Promise.resolve((m === 'snapshot.list' ? { vmId: 'x', vmName: 'a', snapshots: [], nowParentId: 'snap1' } : {}) as never));
    const e = engine(call as EngineApi['call']);
    const vm = makeVm('a', 'Running');
    requestVmAction(e, 'snapshot', [vm]);
    expect(call).toHaveBeenCalledWith('snapshot.create', { vm: vm.id });
    expect(uiStore.getState().dialog).toBeNull();
    requestVmAction(e, 'revert', [vm]);
    await vi.waitFor(() => expect(snapshotUi.getState().dialog).toEqual({ kind: 'apply', vmId: vm.id, snapshotId: 'snap1', revert: true }));
  });

  it('asks before Turn Off, Shut Down and Delete Saved State', () => {
    const vm = makeVm('a', 'Running');
    for (const a of ['turnOff', 'shutDown', 'deleteSavedState'] as const) {
      requestVmAction(engine(), a, [vm]);
      expect(uiStore.getState().dialog).toEqual({ kind: 'confirm', action: a, vmIds: [vm.id] });
    }
  });

  it('routes Migrate… to the migration wizard for one VM', () => {
    const vm = makeVm('a', 'Running');
    requestVmAction(engine(), 'migrate', [vm]);
    expect(uiStore.getState().dialog).toEqual({ kind: 'migrate', vmId: vm.id, hostId: null });
  });

  it('routes settings, rename and delete to their dialogs', () => {
    const vm = makeVm('a');
    requestVmAction(engine(), 'settings', [vm]);
    expect(uiStore.getState().dialog).toEqual({ kind: 'settings', vmId: vm.id });
    requestVmAction(engine(), 'rename', [vm]);
    expect(uiStore.getState().dialog).toEqual({ kind: 'rename', vmId: vm.id });
    requestVmAction(engine(), 'delete', [vm]);
    expect(uiStore.getState().dialog).toEqual({ kind: 'delete', vmIds: [vm.id] });
  });

  it('calls vm.action at once for Start, Save, Pause, Resume, Reset', () => {
    const call = vi.fn(() => Promise.resolve({}) as never);
    const a = makeVm('a');
    const b = makeVm('b');
    requestVmAction(engine(call), 'start', [a, b]);
    expect(call).toHaveBeenCalledWith('vm.action', { vm: a.id, action: 'start' });
    expect(call).toHaveBeenCalledWith('vm.action', { vm: b.id, action: 'start' });
    expect(uiStore.getState().dialog).toBeNull();
  });

  it('shows an engine error with its hint and the VM it concerns', async () => {
    const call = vi.fn(() => Promise.reject(new ViridianError('QEMU_FAILED', 'QEMU could not start.', 'Check the disk.')));
    await performSimpleAction(engine(call as EngineApi['call']), 'start', [makeVm('web01')]);
    const [err] = uiStore.getState().errors;
    expect(err).toMatchObject({ code: 'QEMU_FAILED', message: 'QEMU could not start.', hint: 'Check the disk.', context: 'Start “web01”' });
  });
});
