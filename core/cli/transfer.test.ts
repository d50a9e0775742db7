import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { utf16le, vmcXml } from '../engine/transfer-fixtures';
import { useCliDataDir } from '../testing/cli-harness';
import { ensureTestGuest, type TestGuest } from '../testing/guest';

const h = useCliDataDir('viridian-cli-transfer-');
const { cli, json } = h;
let guest: TestGuest;
beforeAll(async () => {
  guest = await ensureTestGuest();
});

describe('viridian vm export / import', () => {
  it('exports a VM to DIR/NAME and imports it back as a copy, with --json', async () => {
    expect((await cli('vm', 'create', 'box', '--memory', '128', '--kernel', guest.kernel, '--new-disk', '16M')).code).toBe(0);
    expect((await cli('snapshot', 'create', 'box', '--name', 'base')).code).toBe(0);
    await mkdir(join(h.data, 'out'));
    const exported = await json<{ export: { folder: string } }>('vm', 'export', 'box', 'out');
    expect(exported.export.folder).toBe(join(h.data, 'out', 'box'));
    const im = await cli('vm', 'import', 'out/box', '--copy');
    expect(im.code).toBe(0);
    expect(im.out).toMatch(/^Imported "box \(2\)" \([0-9a-f-]{36}\); it is Off\.\n/);
    expect(im.out).toContain('  - Imported "box (2)"');
    const list = await json<{ snapshots: { name: string }[] }>('snapshot', 'list', 'box (2)');
    expect(list.snapshots.map((s) => s.name)).toEqual(['base']);
    // Export needs Off or Saved; the export folder must not exist yet.
    const again = await cli('vm', 'export', 'box', 'out');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^error: .*out\/box already exists\./);
  }, 60_000);

  it('imports a .vmc and prints its report; refuses what is neither', async () => {
    await mkdir(join(h.data, 'vpc'));
    await writeFile(join(h.data, 'vpc', 'Old.vmc'), utf16le(vmcXml({ disk: { absolute: 'C:\\VMs\\Old.vhd', relative: '.\\Old.vhd' } })));
    const doc = await json<{ vm: { name: string }; source: string; notes: { level: string; text: string }[] }>('vm', 'import', 'vpc/Old.vmc');
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
