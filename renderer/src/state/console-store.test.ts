import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEvents, createConsoleStore, loadSnapshot } from './console-store';
import { sortAllByName } from './sorted-ids';
import { makeJob, makeSnapshot, makeVm, removed, upsert } from '../test-support/fixtures';
import type { AnyEvent } from '../../../core/contract';

describe('console store', () => {
  it('loads a snapshot and keeps ids sorted by name (natural order)', () => {
    const store = createConsoleStore();
    const vms = [makeVm('vm10'), makeVm('vm2'), makeVm('Alpha')];
    loadSnapshot(store, makeSnapshot(vms, 5));
    const s = store.getState();
    expect(s.loaded).toBe(true);
    expect(s.seq).toBe(5);
    expect(s.sortedIds.map((id) => s.vms.get(id)?.name)).toEqual(['Alpha', 'vm2', 'vm10']);
  });

  it('applies upserts, renames, removals and stats in one update', () => {
    const store = createConsoleStore();
    const a = makeVm('a', 'Running');
    const b = makeVm('b');
    loadSnapshot(store, makeSnapshot([a, b], 1));
    const before = store.getState();
    let updates = 0;
    store.subscribe(() => updates++);
    const c = makeVm('c');
    applyEvents(store, [
      upsert(c, 2),
      upsert({ ...a, name: 'z' }, 3),
      removed(b.id, 4),
      { e: 'vm.stats', p: { items: [{ id: a.id, stats: { cpuPercent: 50, memoryMiB: 256, uptimeSec: 9 } }] }, seq: 5 },
    ]);
    const s = store.getState();
    expect(updates).toBe(1);
    expect(s.seq).toBe(5);
    expect(s.sortedIds.map((id) => s.vms.get(id)?.name)).toEqual(['c', 'z']);
    expect(s.vms.get(a.id)?.stats?.cpuPercent).toBe(50);
    expect(s.vmsVersion).toBeGreaterThan(before.vmsVersion);
    expect(s.statsVersion).toBeGreaterThan(before.statsVersion);
    expect(s.sortedIds).not.toBe(before.sortedIds);
  });

  it('keeps the same id array when only stats change (the list does not re-sort)', () => {
    const store = createConsoleStore();
    const a = makeVm('a', 'Running');
    loadSnapshot(store, makeSnapshot([a], 1));
    const { sortedIds: ids, statesVersion } = store.getState();
    applyEvents(store, [{ e: 'vm.stats', p: { items: [{ id: a.id, stats: { cpuPercent: 1, memoryMiB: 1, uptimeSec: 1 } }] }, seq: 2 }]);
    expect(store.getState().sortedIds).toBe(ids);
    expect(store.getState().statesVersion).toBe(statesVersion);
  });

  it('handles a VM added, renamed and removed within one batch', () => {
    const store = createConsoleStore();
    loadSnapshot(store, makeSnapshot([makeVm('m')], 1));
    const x = makeVm('x');
    const y = makeVm('y');
    applyEvents(store, [upsert(x, 2), upsert({ ...x, name: 'a' }, 3), upsert(y, 4), removed(y.id, 5)]);
    const s = store.getState();
    expect(s.sortedIds.map((id) => s.vms.get(id)?.name)).toEqual(['a', 'm']);
    expect(s.vms.has(y.id)).toBe(false);
  });

  it('indexes running jobs per VM and updates them', () => {
    const store = createConsoleStore();
    const a = makeVm('a', 'Saving');
    loadSnapshot(store, makeSnapshot([a], 1, [makeJob('j1', a.id)]));
    expect(store.getState().jobByVm.get(a.id)?.id).toBe('j1');
    applyEvents(store, [{ e: 'job.upsert', p: { job: makeJob('j1', a.id, { state: 'completed', percent: 100 }) }, seq: 2 }]);
    expect(store.getState().jobByVm.has(a.id)).toBe(false);
    expect(store.getState().jobs.get('j1')?.state).toBe('completed');
  });

  it('marks a VM’s snapshots changed when one of its jobs ends or the engine says so, even within one batch', () => {
    const store = createConsoleStore();
    const a = makeVm('a', 'Running');
    const b = makeVm('b', 'Running');
    loadSnapshot(store, makeSnapshot([a, b], 1));
    const del = makeJob('j1', a.id, { kind: 'snapshot.delete' });
    // A fast delete: starts and ends between two frames, so the running-job index is the same before and after.
    applyEvents(store, [
      { e: 'job.upsert', p: { job: del }, seq: 2 },
      { e: 'job.upsert', p: { job: { ...del, state: 'completed', percent: 100 } }, seq: 3 },
    ]);
    expect(store.getState().jobByVm.has(a.id)).toBe(false);
    expect(store.getState().snapshotChanges.get(a.id)).toBe(3);
    expect(store.getState().snapshotChanges.has(b.id)).toBe(false);

    // A job still running changes nothing yet; the engine's snapshot.changed does.
    const before = store.getState().snapshotChanges;
    applyEvents(store, [{ e: 'job.upsert', p: { job: makeJob('j2', b.id) }, seq: 4 }]);
    expect(store.getState().snapshotChanges).toBe(before);
    applyEvents(store, [{ e: 'snapshot.changed', p: { vmId: b.id }, seq: 5 }]);
    expect(store.getState().snapshotChanges.get(b.id)).toBe(5);
    expect(store.getState().snapshotChanges.get(a.id)).toBe(3);

    // A removed VM is forgotten; a fresh snapshot starts over (its generation says: re-read all).
    applyEvents(store, [removed(a.id, 6)]);
    expect(store.getState().snapshotChanges.has(a.id)).toBe(false);
    const generation = store.getState().generation;
    loadSnapshot(store, makeSnapshot([b], 7));
    expect(store.getState().snapshotChanges.size).toBe(0);
    expect(store.getState().generation).toBe(generation + 1);
  });

  it('keeps the incremental order equal to a full sort for any sequence of changes', () => {
    const names = fc.constantFrom('a', 'b', 'c', 'vm1', 'vm2', 'vm10', 'B', 'x y', 'z');
    const op = fc.oneof(
      fc.record({ k: fc.constant('add' as const), name: names }),
      fc.record({ k: fc.constant('rename' as const), i: fc.nat(20), name: names }),
      fc.record({ k: fc.constant('remove' as const), i: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 8 }), (batches) => {
        const store = createConsoleStore();
        loadSnapshot(store, makeSnapshot([makeVm('m'), makeVm('vm3')], 0));
        let seq = 0;
        for (const batch of batches) {
          const events: AnyEvent[] = [];
          const live = [...store.getState().vms.values()];
          for (const o of batch) {
            seq++;
            if (o.k === 'add') events.push(upsert(makeVm(o.name), seq));
            else if (live.length > 0) {
              const target = live[o.i % live.length];
              if (target === undefined) continue;
              events.push(o.k === 'rename' ? upsert({ ...target, name: o.name }, seq) : removed(target.id, seq));
            }
          }
          applyEvents(store, events);
          const s = store.getState();
          expect([...s.sortedIds]).toEqual(sortAllByName(s.vms));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('applies 10,000 VMs and a stats tick for all of them quickly', () => {
    const store = createConsoleStore();
    const vms = Array.from({ length: 10_000 }, (_, i) => makeVm(`vm-${i}`, 'Running'));
    const t0 = performance.now();
    applyEvents(
      store,
      vms.map((v, i) => upsert(v, i + 1)),
    );
    applyEvents(store, [
      { e: 'vm.stats', p: { items: vms.map((v) => ({ id: v.id, stats: { cpuPercent: 3, memoryMiB: 512, uptimeSec: 2 } })) }, seq: 10_001 },
    ]);
    const ms = performance.now() - t0;
    expect(store.getState().sortedIds).toHaveLength(10_000);
    expect(ms).toBeLessThan(1000);
  });
});
