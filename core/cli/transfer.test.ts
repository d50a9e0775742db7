import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf16le, vmcXml } from '../engine/transfer-fixtures';
import { ensureTestGuest, type TestGuest } from '../testing/guest';
import { runCli } from './main';

let data: string;
let guest: TestGuest;

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli([...args, '--data', data], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: false,
    prompt: () => Promise.resolve(''),
    cwd: data,
    env: {},
  });
  return { code, out, err };
}

beforeAll(async () => {
  guest = await ensureTestGuest();
  data = await mkdtemp(join(tmpdir(), 'viridian-cli-transfer-'));
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

describe('viridian vm export / import', () => {
  it('exports a VM to DIR/NAME and imports it back as a copy, with --json', async () => {
    expect((await cli('vm', 'create', 'box', '--memory', '128', '--kernel', guest.kernel, '--new-disk', '16M')).code).toBe(0);
    expect((await cli('snapshot', 'create', 'box', '--name', 'base')).code).toBe(0);
    await mkdir(join(data, 'out'));
    const ex = await cli('vm', 'export', 'box', 'out', '--json');
    expect(ex.code).toBe(0);
    const exported = JSON.parse(ex.out) as { export: { folder: string } };
    expect(exported.export.folder).toBe(join(data, 'out', 'box'));
    const im = await cli('vm', 'import', 'out/box', '--copy');
    expect(im.code).toBe(0);
    expect(im.out).toMatch(/^Imported "box \(2\)" \([0-9a-f-]{36}\); it is Off\.\n/);
    expect(im.out).toContain('  - Imported "box (2)"');
    const list = JSON.parse((await cli('snapshot', 'list', 'box (2)', '--json')).out) as { snapshots: { name: string }[] };
    expect(list.snapshots.map((s) => s.name)).toEqual(['base']);
    // Export needs Off or Saved; the export folder must not exist yet.
    const again = await cli('vm', 'export', 'box', 'out');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^error: .*out\/box already exists\./);
  }, 60_000);

  it('imports a .vmc and prints its report; refuses what is neither', async () => {
    await mkdir(join(data, 'vpc'));
    await writeFile(join(data, 'vpc', 'Old.vmc'), utf16le(vmcXml({ disk: { absolute: 'C:\\VMs\\Old.vhd', relative: '.\\Old.vhd' } })));
    const r = await cli('vm', 'import', 'vpc/Old.vmc', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { vm: { name: string }; source: string; notes: { level: string; text: string }[] };
    expect(doc.vm.name).toBe('Old');
    expect(doc.source).toBe('vmc');
    expect(doc.notes.filter((n) => n.level === 'error')).toHaveLength(1);
    const text = await cli('vm', 'import', 'vpc/Old.vmc');
    expect(text.out).toMatch(/✗ IDE 0:0: the hard disk C:\\VMs\\Old\.vhd \/ \.\\Old\.vhd was not found/);
    const bad = await cli('vm', 'import', 'vpc');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/neither a Viridian export folder/);
    expect((await cli('vm', 'import')).code).toBe(2);
  }, 60_000);
});
