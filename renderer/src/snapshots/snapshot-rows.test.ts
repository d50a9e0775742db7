import { describe, expect, it } from 'vitest';
import type { SnapshotInfo, SnapshotTree } from '../../../core/contract';
import { applyText, snapshotRows } from './snapshot-rows';

const snap = (id: string, parentId: string | null, vmState: SnapshotInfo['vmState'] = 'Running'): SnapshotInfo => ({
  id,
  name: id.toUpperCase(),
  parentId,
  createdAt: '2025-01-01T00:00:00Z',
  vmState,
  hasMemoryState: vmState !== 'Off',
  disks: [],
});

describe('snapshot rows', () => {
  it('indents children and puts Now under the snapshot the VM came from', () => {
    const tree: SnapshotTree = { vmId: 'v', vmName: 'web', nowParentId: 'b', snapshots: [snap('a', null), snap('b', 'a'), snap('c', 'a')] };
    expect(snapshotRows(tree).map((r) => `${'  '.repeat(r.depth)}${r.id}`)).toEqual(['a', '  b', '    now', '  c']);
    expect(snapshotRows({ ...tree, snapshots: [], nowParentId: null })).toEqual([]);
  });

  it('says what Apply and Revert lose and where the VM ends up', () => {
    const tree: SnapshotTree = { vmId: 'v', vmName: 'web', nowParentId: 'a', snapshots: [snap('a', null)] };
    const t = applyText({ name: 'web', state: 'Running' }, snap('a', null), tree, true);
    expect(t.title).toBe('Revert “web”?');
    expect(t.body).toContain('You lose its current running state and every change on its disks since that snapshot was taken');
    expect(t.body).toContain('continues from the moment of the snapshot (running)');
    const off = applyText({ name: 'web', state: 'Off' }, snap('a', null, 'Off'), tree, false);
    expect(off.button).toBe('Apply');
    expect(off.body).toContain('then turned off');
  });
});
