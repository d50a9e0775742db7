// Property: through any sequence of take / apply / delete (one or a subtree),
// with marker files written in the guest between them, the files the guest
// reads from its disk always equal a model of what they should be, and every
// remaining snapshot still holds its own contents. Real guest, real QEMU,
// live merges while the VM runs.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineFixture, runAction, serialText, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import type { Engine } from './engine';
import { blankDisk, dataDiskVm, mountData, readMarkers, writeMarker } from './snapshots-testkit';

type Files = Record<string, string>;
type Op =
  | { kind: 'write'; key: number; value: number }
  | { kind: 'take' }
  | { kind: 'apply'; pick: number }
  | { kind: 'delete'; pick: number; subtree: boolean }
  | { kind: 'cycle'; how: 'save' | 'off' };

interface ModelSnap {
  id: string;
  parent: string | null;
  files: Files;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), key: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 1, max: 9999 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'take' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('apply' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), subtree: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cycle' as const), how: fc.constantFrom('save' as const, 'off' as const) }) },
);

let fx: EngineFixture;
let n = 0;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function job(engine: Engine, p: Promise<{ id: string }>) {
  const j = await engine.waitJob((await p).id, 300_000);
  if (j.state !== 'completed') throw new Error(`${j.kind} ${j.state}: ${j.error?.message ?? ''}`);
  return j;
}

describe('snapshots keep disk data and memory state consistent (property)', () => {
  it('random take/apply/delete sequences on a real guest disk match the model', async () => {
    const { engine } = fx;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 8 }), async (ops) => {
        const name = `prop${n++}`;
        const disk = await blankDisk(fx, `${name}.qcow2`);
        await engine.invoke('vm.create', dataDiskVm(fx, name, disk));
        await runAction(engine, name, 'start');
        await waitForSerial(engine, name, /VIRIDIAN-DISK-READY/);
        await mountData(engine, name, true);
        let now: Files = {};
        let nowParent: string | null = null;
        const snaps: ModelSnap[] = [];
        const check = async (what: string) => {
          const seen = await readMarkers(engine, name);
          expect(seen, `${what} (ops ${JSON.stringify(ops)})`).toEqual(now);
        };
        for (const op of ops) {
          if (op.kind === 'write') {
            await writeMarker(engine, name, op.key, `v${op.value}`);
            now = { ...now, [`f${op.key}`]: `v${op.value}` };
          } else if (op.kind === 'take') {
            const j = await job(engine, engine.invoke('snapshot.create', { vm: name }));
            const id = (j.result as { id: string }).id;
            snaps.push({ id, parent: nowParent, files: { ...now } });
            nowParent = id;
          } else if (op.kind === 'apply' && snaps.length) {
            const s = snaps[op.pick % snaps.length] as ModelSnap;
            await job(engine, engine.invoke('snapshot.apply', { vm: name, snapshot: s.id }));
            expect(engine.getVm(name).state).toBe('Running');
            now = { ...s.files };
            nowParent = s.id;
            await check(`after applying ${s.id}`);
          } else if (op.kind === 'delete' && snaps.length) {
            const s = snaps[op.pick % snaps.length] as ModelSnap;
            await job(engine, engine.invoke('snapshot.delete', { vm: name, snapshot: s.id, subtree: op.subtree }));
            const gone = new Set([s.id]);
            if (op.subtree) {
              for (let grew = true; grew; ) {
                grew = false;
                for (const x of snaps) {
                  if (x.parent && gone.has(x.parent) && !gone.has(x.id)) {
                    gone.add(x.id);
                    grew = true;
                  }
                }
              }
            }
            const parentOf = (id: string | null): string | null => {
              let cur = id;
              while (cur && gone.has(cur)) cur = snaps.find((x) => x.id === cur)?.parent ?? null;
              return cur;
            };
            for (const x of snaps) x.parent = parentOf(x.parent);
            nowParent = parentOf(nowParent);
            snaps.splice(0, snaps.length, ...snaps.filter((x) => !gone.has(x.id)));
            await check(`after deleting ${s.id}${op.subtree ? ' with its subtree' : ''}`);
          } else if (op.kind === 'cycle') {
            // Off: the guest boots fresh from the disk; Save: it resumes where it was.
            const boots = (await serialText(engine, name)).split('VIRIDIAN-DISK-READY').length;
            await runAction(engine, name, op.how === 'save' ? 'save' : 'turnOff');
            await runAction(engine, name, 'start');
            if (op.how === 'off') {
              const deadline = Date.now() + 120_000;
              while ((await serialText(engine, name)).split('VIRIDIAN-DISK-READY').length <= boots) {
                if (Date.now() > deadline) throw new Error('the guest did not boot again');
                await new Promise((r) => setTimeout(r, 200));
              }
              await mountData(engine, name, false);
            }
            await check(`after ${op.how} and start`);
          }
          const tree = await engine.invoke('snapshot.list', { vm: name });
          expect(tree.snapshots.map((s) => s.id).sort()).toEqual(snaps.map((s) => s.id).sort());
          expect(tree.nowParentId).toBe(nowParent);
          for (const s of tree.snapshots) expect(s.parentId).toBe(snaps.find((x) => x.id === s.id)?.parent ?? null);
        }
        await check('at the end');
        // Every snapshot still left holds exactly its own files.
        for (const s of [...snaps].reverse()) {
          await job(engine, engine.invoke('snapshot.apply', { vm: name, snapshot: s.id }));
          now = s.files;
          await check(`re-applying ${s.id} at the end`);
        }
        await runAction(engine, name, 'turnOff');
      }),
      { numRuns: Number(process.env['VIRIDIAN_PROPERTY_RUNS'] ?? 3), endOnFailure: true, verbose: 1 },
    );
  }, 900_000);
});
