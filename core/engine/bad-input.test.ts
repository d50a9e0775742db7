import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher, type Peer } from '../host/dispatch';
import { openEngine } from './engine';
import { engineFixture, kernelVm, type EngineFixture } from '../testing/engine-fixture';

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** Sends one request frame through the real dispatcher and returns the answer frame. */
async function call(d: Dispatcher, m: string, p: unknown): Promise<Record<string, unknown>> {
  let answer = '';
  const peer: Peer = { send: (t) => (answer = t) };
  await d.handle(peer, JSON.stringify({ t: 'req', id: 1, m, p }));
  return JSON.parse(answer) as Record<string, unknown>;
}

describe('bad input gets a clear error at the contract edge', () => {
  it('unknown VM', async () => {
    const d = new Dispatcher(fx.engine);
    const r = await call(d, 'vm.get', { vm: 'nope' });
    expect(r).toMatchObject({ t: 'err', code: 'NOT_FOUND' });
    expect(r.message).toMatch(/nope/);
    expect(r.hint).toBeTruthy();
  });

  it.each([
    ['empty', '', /empty/],
    ['path separators', 'a/b', /cannot contain/],
    ['backslash', 'a\\b', /cannot contain/],
    ['300 characters', 'x'.repeat(300), /at most 100/],
  ])('invalid name: %s', async (_label, name, re) => {
    const d = new Dispatcher(fx.engine);
    const r = await call(d, 'vm.create', { name, memoryMiB: 128 });
    expect(r).toMatchObject({ t: 'err', code: 'INVALID_INPUT' });
    expect(String(r.message)).toMatch(re);
    expect(fx.engine.listSummaries()).toHaveLength(0);
  });

  it('memory 0 and memory beyond the host', async () => {
    const d = new Dispatcher(fx.engine);
    expect(await call(d, 'vm.create', { name: 'm0', memoryMiB: 0 })).toMatchObject({ t: 'err', code: 'INVALID_INPUT' });
    const huge = fx.engine.hostInfo.maxVmMemoryMiB + 1;
    const r = await call(d, 'vm.create', { name: 'm1', memoryMiB: huge });
    expect(r).toMatchObject({ t: 'err', code: 'INSUFFICIENT_MEMORY' });
    expect(String(r.hint)).toMatch(/MiB or less/);
  });

  it('malformed frames and unknown methods', async () => {
    const d = new Dispatcher(fx.engine);
    let answer = '';
    const peer: Peer = { send: (t) => (answer = t) };
    await d.handle(peer, '{not json');
    expect(JSON.parse(answer)).toMatchObject({ t: 'err', code: 'PROTOCOL' });
    expect(await call(d, 'vm.explode', {})).toMatchObject({ t: 'err', code: 'PROTOCOL' });
    expect(await call(d, 'vm.action', { vm: 'x', action: 'fly' })).toMatchObject({ t: 'err', code: 'INVALID_INPUT' });
  });

  it('a path outside the storage roots is refused', async () => {
    const d = new Dispatcher(fx.engine);
    const r = await call(d, 'vm.create', { name: 'escape', memoryMiB: 128, disk: { kind: 'existing', path: '/etc/passwd' } });
    expect(r).toMatchObject({ t: 'err', code: 'PATH_OUTSIDE_ROOTS' });
  });

  it('a duplicate name is refused', async () => {
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'dup'));
    const d = new Dispatcher(fx.engine);
    expect(await call(d, 'vm.create', { name: 'DUP', memoryMiB: 128 })).toMatchObject({ t: 'err', code: 'NAME_TAKEN' });
  });

  it('actions not allowed in the current state say why and what is possible', async () => {
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'idle'));
    const d = new Dispatcher(fx.engine);
    const r = await call(d, 'vm.action', { vm: 'idle', action: 'save' });
    expect(r).toMatchObject({ t: 'err', code: 'INVALID_STATE' });
    expect(String(r.message)).toMatch(/while it is Off/);
    expect(String(r.hint)).toMatch(/Start/);
  });

  it('a corrupt vm.json is reported, the file kept, other VMs unaffected', async () => {
    await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'healthy'));
    const folder = join(fx.dataDir, 'vms', 'broken-one');
    await mkdir(folder, { recursive: true });
    const garbage = '{"schemaVersion": 1, "name": ';
    await writeFile(join(folder, 'vm.json'), garbage);
    const engine = await fx.reopen();
    const list = engine.listSummaries();
    expect(list.find((v) => v.name === 'healthy')?.status.state).toBe('Off');
    const broken = list.find((v) => v.id === 'broken-one');
    expect(broken?.status.state).toBe('Critical');
    expect(broken?.status.reason).toMatch(/could not be read/);
    expect(broken?.status.reason).toMatch(/kept/);
    await expect(engine.invoke('vm.action', { vm: 'broken-one', action: 'start' })).rejects.toMatchObject({ code: 'CONFIG_CORRUPT' });
    expect(await readFile(join(folder, 'vm.json'), 'utf8')).toBe(garbage);
  });

  it('a second engine on the same data dir gets a clear error', async () => {
    await expect(openEngine({ dataDir: fx.dataDir })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
  });
});
