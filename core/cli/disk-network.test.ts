// The disk edit, vm disk/nic/devices and network commands, run in-process against a real engine and qemu-img.
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLineError, useCliDataDir } from '../testing/cli-harness';

const h = useCliDataDir('viridian-cli-dn-');
const { cli, json } = h;

describe('viridian network', () => {
  it('lists, creates, renames, shows and deletes networks; sets the MAC pool', async () => {
    const list = await json<{ networks: { name: string; kind: string }[]; macPool: { size: number } }>('network', 'list');
    expect(list.networks.map((n) => [n.name, n.kind])).toEqual([['Default Switch', 'external']]);
    const text = await cli('network', 'list');
    expect(text.out).toMatch(/Default Switch\s+External\s+NAT\s+0/);
    expect(text.out).toContain('MAC address pool:');

    const created = await json<{ id: string; kind: string }>('network', 'create', 'Lab', '--kind', 'private');
    expect(created.kind).toBe('private');
    expect((await cli('network', 'rename', 'Lab', 'Lab A')).out).toContain('Renamed "Lab" to "Lab A"');
    expect((await cli('network', 'show', 'lab a')).out).toMatch(/Kind:\s+Private/);
    const pool = await json<{ first: string; size: number }>('network', 'mac-pool', '--first', '52:54:00:AB:00:00', '--last', '52:54:00:ab:00:ff');
    expect(pool).toMatchObject({ first: '52:54:00:ab:00:00', size: 256 });
    expect((await cli('network', 'delete', 'Lab A')).code).toBe(0);
  });

  it('exits 2 on a wrong command line and 1 (one line) when the engine refuses', async () => {
    expect((await cli('network', 'create', 'X')).code).toBe(2);
    expect((await cli('network', 'create', 'X', '--kind', 'private', '--bridge', 'br0')).code).toBe(2);
    expect((await cli('network', 'mac-pool', '--first', '52:54:00:00:00:00')).code).toBe(2);
    const r = await cli('network', 'delete', 'Nope');
    expect(r.code).toBe(1);
    expectOneLineError(r);
    expect(r.err).toContain('no virtual network named "Nope"');
    const dup = await cli('network', 'create', 'default switch', '--kind', 'private');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('already exists');
  });

  it('adds, changes and removes a VM’s network adapters (vm nic)', async () => {
    await json('network', 'create', 'Wire', '--kind', 'private');
    await json('vm', 'create', 'nicvm');
    const added = await json<{ id: string; kind: string; network: string; vlanId: number | null; macMode: string }[]>('vm', 'nic', 'add', 'nicvm', '--network', 'Wire', '--legacy', '--vlan', '12');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ kind: 'legacy', vlanId: 12, macMode: 'dynamic' });
    const listed = await cli('vm', 'nic', 'list', 'nicvm');
    expect(listed.out).toMatch(/nic0\s+Legacy Network Adapter.*Wire.*12/);
    const set = await json<{ network: string | null; mac: string; macMode: string; vlanId: number | null }[]>('vm', 'nic', 'set', 'nicvm', 'nic0', '--disconnect', '--mac', '02:11:22:33:44:55', '--no-vlan');
    expect(set[0]).toMatchObject({ network: null, mac: '02:11:22:33:44:55', macMode: 'static', vlanId: null });
    expect((await cli('vm', 'nic', 'set', 'nicvm', 'nic9', '--disconnect')).code).toBe(1);
    expect(await json('vm', 'nic', 'remove', 'nicvm', 'nic0')).toEqual([]);
  });
});

describe('viridian disk (edit) and vm disk', () => {
  it('creates, expands, compacts, converts, makes and merges differencing disks, reconnects', async () => {
    const d = (n: string) => join(h.data, n);
    expect((await cli('disk', 'create', d('a.qcow2'), '--size', '32M')).code).toBe(0);
    const exp = await json<{ job: { cli: string }; result: { virtualSize: number } }>('disk', 'expand', d('a.qcow2'), '--size', '48M');
    expect(exp.result.virtualSize).toBe(48 * 1024 * 1024);
    expect(exp.job.cli).toBe(`viridian disk expand ${d('a.qcow2')} --size ${48 * 1024 * 1024}`);
    expect((await cli('disk', 'compact', d('a.qcow2'))).out).toMatch(/^Compacted .* on disk\.\n$/);
    const conv = await json<{ result: { format: string; type: string } }>('disk', 'convert', d('a.qcow2'), d('b.vhd'), '--type', 'fixed');
    expect(conv.result).toMatchObject({ format: 'vpc', type: 'fixed' });

    expect((await cli('disk', 'differencing', d('child.qcow2'), '--parent', d('b.vhd'))).code).toBe(0);
    const merged = await json<{ result: { format: string; type: string } }>('disk', 'merge', d('child.qcow2'), '--into-new', d('flat.vhdx'));
    expect(merged.result).toMatchObject({ format: 'vhdx', type: 'dynamic' });
    expect((await cli('disk', 'merge', d('a.qcow2'), '--format', 'vhd')).code).toBe(2);

    await mkdir(d('moved'));
    await rename(d('b.vhd'), d('moved/b.vhd'));
    expect((await json<{ intact: boolean }>('disk', 'inspect', d('child.qcow2'))).intact).toBe(false);
    const rec = await cli('disk', 'reconnect', d('child.qcow2'), '--parent', d('moved/b.vhd'));
    expect(rec.code).toBe(0);
    expect((await json<{ intact: boolean }>('disk', 'inspect', d('child.qcow2'))).intact).toBe(true);

    await writeFile(d('text.vhd'), 'not a disk '.repeat(100));
    const bad = await cli('disk', 'compact', d('text.vhd'));
    expect(bad.code).toBe(1);
    expectOneLineError(bad);
    expect(bad.err).toContain('not a disk image');
  });

  it('attaches and detaches disks of a VM and shows synthetic vs emulated devices', async () => {
    const disk = join(h.data, 'vmdisk.qcow2');
    expect((await cli('disk', 'create', disk, '--size', '16M')).code).toBe(0);
    await json('vm', 'create', 'dvm');
    const att = await json<{ scsi: { lun: number; path: string }[] }>('vm', 'disk', 'attach', 'dvm', disk);
    expect(att.scsi).toMatchObject([{ lun: 0, path: disk }]);
    expect((await cli('vm', 'disk', 'list', 'dvm')).out).toMatch(/scsi:0\s+.*vmdisk\.qcow2\s+qcow2/);
    expect((await json<{ vmName: string; where: string }[]>('disk', 'uses', disk))).toMatchObject([{ vmName: 'dvm', where: 'SCSI 0' }]);
    const dev = await json<{ devices: { device: string; kind: string }[]; enlightenments: { enabled: boolean } }>('vm', 'devices', 'dvm');
    expect(dev.devices.find((x) => x.device === 'Hard Drive (SCSI 0)')?.kind).toBe('synthetic');
    expect(dev.devices.find((x) => x.device === 'IDE Controller 0')?.kind).toBe('emulated');
    expect((await cli('vm', 'devices', 'dvm')).out).toMatch(/Accelerator: \w+\. Hyper-V enlightenments: off/);
    expect((await cli('vm', 'disk', 'attach', 'dvm', disk, '--scsi', '--ide')).code).toBe(2);
    expect((await cli('vm', 'disk', 'attach', 'dvm', disk, '--lun', '99')).code).toBe(2);
    const det = await json<{ scsi: unknown[] }>('vm', 'disk', 'detach', 'dvm', 'scsi:0');
    expect(det.scsi).toEqual([]);
  });
});
