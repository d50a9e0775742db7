// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import type { SnapshotInfo, SnapshotTree as Tree } from '../../../core/contract';
import { consoleStore } from '../state/app-stores';
import { applyEvents } from '../state/console-store';
import { makeJob, makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { SnapshotTree } from './SnapshotTree';

beforeAll(() => fakeLayout());
afterEach(cleanup);

const snap = (id: string, parentId: string | null): SnapshotInfo => ({
  id,
  name: `Snap ${id}`,
  parentId,
  createdAt: '2026-01-01T00:00:00Z',
  vmState: 'Running',
  hasMemoryState: true,
  disks: [],
});

/** A running VM with two snapshots, its pane rendered; `engineTree` is what snapshot.list answers. */
async function paneWithTwoSnapshots() {
  const vm = makeVm('web', 'Running');
  seed([vm]);
  let engineTree: Tree = { vmId: vm.id, vmName: vm.name, nowParentId: 'b', snapshots: [snap('a', null), snap('b', 'a')] };
  const { engine, call } = fakeEngine({ 'snapshot.list': () => engineTree });
  renderWithEngine(<SnapshotTree engine={engine} vm={vm} />, engine);
  await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(2));
  const reads = () => call.mock.calls.filter(([m]) => m === 'snapshot.list').length;
  // The engine deletes "b": "Now" moves under "a".
  const deleteB = () => (engineTree = { ...engineTree, nowParentId: 'a', snapshots: [snap('a', null)] });
  return { vm, reads, deleteB };
}

describe('snapshots pane re-reads the tree', () => {
  it('after a snapshot job that starts and ends within one batch of events (state and running job unchanged)', async () => {
    const { vm, reads, deleteB } = await paneWithTwoSnapshots();
    const before = reads();
    deleteB();
    const job = makeJob('del-1', vm.id, { kind: 'snapshot.delete', label: 'Delete snapshot "Snap b"' });
    act(() =>
      applyEvents(consoleStore, [
        { e: 'job.upsert', p: { job }, seq: 20 },
        { e: 'job.upsert', p: { job: { ...job, state: 'completed', percent: 100 } }, seq: 21 },
      ]),
    );
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(1));
    expect(reads()).toBe(before + 1);
    expect(screen.queryByText('Snap b')).toBeNull();
  });

  it('when the engine says the VM’s snapshots changed', async () => {
    const { vm, reads, deleteB } = await paneWithTwoSnapshots();
    const before = reads();
    deleteB();
    act(() => applyEvents(consoleStore, [{ e: 'snapshot.changed', p: { vmId: vm.id }, seq: 20 }]));
    await waitFor(() => expect(screen.getAllByTestId('snapshot-row')).toHaveLength(1));
    expect(reads()).toBe(before + 1);
  });

  it('not for another VM’s jobs or events', async () => {
    const { reads } = await paneWithTwoSnapshots();
    const before = reads();
    const other = makeVm('db', 'Running');
    act(() =>
      applyEvents(consoleStore, [
        { e: 'vm.upsert', p: { vm: other }, seq: 20 },
        { e: 'job.upsert', p: { job: makeJob('x', other.id, { state: 'completed' }) }, seq: 21 },
        { e: 'snapshot.changed', p: { vmId: other.id }, seq: 22 },
      ]),
    );
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(reads()).toBe(before);
    expect(screen.getAllByTestId('snapshot-row')).toHaveLength(2);
  });
});
