import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetworksFileSchema, type NetworkAdapter } from '../contract';
import { buildQemuArgs, netdevArg } from '../qemu/cmdline';
import { engineFixture, kernelVm, type EngineFixture } from '../testing/engine-fixture';
import { allowedBridges } from './networks-host';
import { allocateFromPool, checkMacPool, macProblem } from './networks-mac';
import { DEFAULT_NETWORK_ID, NETWORKS_FILE, networksFor } from './networks-store';

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const nic = (over: Partial<NetworkAdapter>): NetworkAdapter => ({ id: 'nic0', kind: 'synthetic', network: null, macMode: 'dynamic', mac: '52:54:00:00:00:01', vlanId: null, ...over });

describe('virtual networks store', () => {
  it('a fresh host has the Default Switch (External, NAT) in networks.json and a MAC pool', async () => {
    const list = await fx.engine.invoke('network.list', {});
    expect(list.networks.map((n) => [n.id, n.name, n.kind, n.external?.mode])).toEqual([[DEFAULT_NETWORK_ID, 'Default Switch', 'external', 'nat']]);
    const file = NetworksFileSchema.parse(JSON.parse(await readFile(join(fx.dataDir, NETWORKS_FILE), 'utf8')));
    expect(file.networks).toHaveLength(1);
    expect(list.macPool.size).toBe(65536);
    expect(list.macPool.first).toMatch(/^52:54:00:[0-9a-f]{2}:00:00$/);
    expect(typeof list.capabilities.bridge.available).toBe('boolean');
    expect(list.capabilities.bridge.reason.length).toBeGreaterThan(10);
  });

  it('creates, renames and deletes networks; names are unique; kinds get their realisation', async () => {
    const e = fx.engine;
    const priv = await e.invoke('network.create', { name: 'Lab', kind: 'private' });
    expect(priv.segment?.group).toMatch(/^239\.19[2-5]\.\d+\.\d+$/);
    expect(priv.host).toBeNull();
    await expect(e.invoke('network.create', { name: 'lab', kind: 'private' })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    const internal = await e.invoke('network.create', { name: 'Backplane', kind: 'internal', hostAddress: '10.231.7.1/24' });
    expect(internal.host).toMatchObject({ address: '10.231.7.1/24' });
    expect(internal.segment?.group).not.toBe(priv.segment?.group);
    await expect(e.invoke('network.create', { name: 'Overlap', kind: 'internal', hostAddress: '10.231.7.9/24' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(e.invoke('network.create', { name: 'Bad', kind: 'private', hostAddress: '10.1.1.1/24' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(e.invoke('network.create', { name: 'Br', kind: 'external', external: { mode: 'bridge', bridge: 'nosuchbr0' } })).rejects.toMatchObject({ code: 'UNSUPPORTED' });

    const renamed = await e.invoke('network.update', { network: 'lab', name: 'Lab 2' });
    expect(renamed.id).toBe(priv.id);
    expect((await e.invoke('network.list', {})).networks.map((n) => n.name)).toEqual(['Default Switch', 'Lab 2', 'Backplane']);

    // The rename does not disconnect adapters, and delete is refused while they are connected.
    await e.invoke('vm.create', kernelVm(fx.guest, 'n1', { network: [{ kind: 'synthetic', network: 'Lab 2' }] }));
    // Adapters name the network (matched by name across hosts, as Hyper-V does); a rename updates them.
    expect(e.getVm('n1').config.network[0]?.network).toBe('Lab 2');
    await e.invoke('network.update', { network: priv.id, name: 'Lab 3' });
    expect(e.getVm('n1').config.network[0]?.network).toBe('Lab 3');
    // A config that missed the rename (a crash in between) still finds the network by its old name.
    const stale = await networksFor(e.context).backends({ ...e.getVm('n1').config, network: [nic({ network: 'Lab 2' })] });
    expect(stale['nic0']).toMatchObject({ kind: 'mcast', group: priv.segment?.group });
    const view = (await e.invoke('network.list', {})).networks.find((n) => n.id === priv.id);
    expect(view?.adapters.map((a) => a.vmName)).toEqual(['n1']);
    await expect(e.invoke('network.delete', { network: 'Lab 3' })).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('"n1"') });
    await e.invoke('vm.update', { vm: 'n1', changes: { network: [] } });
    expect(await e.invoke('network.delete', { network: 'Lab 3' })).toEqual({ deleted: true, id: priv.id });
    await e.invoke('network.delete', { network: internal.id });

    // Survives a restart (read back from networks.json).
    await fx.reopen();
    expect((await fx.engine.invoke('network.list', {})).networks.map((n) => n.name)).toEqual(['Default Switch']);
  });

  it('a damaged networks.json does not keep the engine from opening; network methods name the file', async () => {
    const { writeFile } = await import('node:fs/promises');
    await fx.engine.close();
    await writeFile(join(fx.dataDir, NETWORKS_FILE), '{ "version": 1, "networks": [');
    const engine = await fx.reopen().catch(() => null);
    expect(engine).not.toBeNull();
    await expect(fx.engine.invoke('network.list', {})).rejects.toMatchObject({ code: 'CONFIG_CORRUPT', message: expect.stringContaining(NETWORKS_FILE) });
    // VMs without connected adapters still work.
    await expect(fx.engine.invoke('vm.create', kernelVm(fx.guest, 'nonet'))).resolves.toBeTruthy();
  });

  it('refuses an unknown network on create and at start names the adapter', async () => {
    await expect(fx.engine.invoke('vm.create', kernelVm(fx.guest, 'x', { network: [{ kind: 'synthetic', network: 'Nowhere' }] }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fx.engine.listSummaries()).toHaveLength(0);
    const store = networksFor(fx.engine.context);
    await expect(store.backends({ ...(await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'y'))).config, network: [nic({ network: 'gone' })] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('nic0'),
    });
  });

  it('gives dynamic MACs from the pool, keeps them, and refuses duplicate static MACs on the host', async () => {
    const e = fx.engine;
    const pool = (await e.invoke('network.list', {})).macPool;
    await e.invoke('vm.create', kernelVm(fx.guest, 'm1', { network: [{ kind: 'synthetic', network: 'Default Switch' }, { kind: 'legacy', network: null }] }));
    await e.invoke('vm.create', kernelVm(fx.guest, 'm2', { network: [{ kind: 'synthetic', network: DEFAULT_NETWORK_ID }] }));
    const m1 = e.getVm('m1').config.network;
    const m2 = e.getVm('m2').config.network;
    const all = [...m1, ...m2].map((a) => a.mac);
    expect(new Set(all).size).toBe(3);
    expect(all[0]).toBe(pool.first);
    for (const mac of all) expect(mac.slice(0, 12)).toBe(pool.first.slice(0, 12));

    // An unrelated change keeps the addresses.
    await e.invoke('vm.update', { vm: 'm1', changes: { network: m1.map((a) => ({ ...a, vlanId: 7 })) } });
    expect(e.getVm('m1').config.network.map((a) => a.mac)).toEqual(m1.map((a) => a.mac));
    expect(e.getVm('m1').config.network[0]?.vlanId).toBe(7);

    // Static: m2 may not take m1's address; a multicast address is refused; a free one is kept as given.
    const taken = m1[0]?.mac ?? '';
    await expect(e.invoke('vm.update', { vm: 'm2', changes: { network: [{ ...m2[0]!, macMode: 'static', mac: taken }] } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('"m1"'),
    });
    await expect(e.invoke('vm.update', { vm: 'm2', changes: { network: [{ ...m2[0]!, macMode: 'static', mac: '01:00:5e:00:00:01' }] } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await e.invoke('vm.update', { vm: 'm2', changes: { network: [{ ...m2[0]!, macMode: 'static', mac: '02:AA:BB:CC:DD:EE'.toLowerCase() }] } });
    expect(e.getVm('m2').config.network[0]?.mac).toBe('02:aa:bb:cc:dd:ee');
    // Two adapters in one VM with the same static MAC.
    await expect(
      e.invoke('vm.update', { vm: 'm2', changes: { network: [nic({ id: 'a', macMode: 'static', mac: '02:00:00:00:00:09' }), nic({ id: 'b', macMode: 'static', mac: '02:00:00:00:00:09' })] } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('used twice') });
    // A dynamic adapter whose client-made MAC collides gets a fresh one from the pool.
    await e.invoke('vm.update', { vm: 'm2', changes: { network: [nic({ id: 'new', mac: taken })] } });
    const fresh = e.getVm('m2').config.network[0]?.mac;
    expect(fresh).not.toBe(taken);
    expect(all).not.toContain(fresh);
  });

  it('a small MAC pool runs out with a clear error', async () => {
    const e = fx.engine;
    await e.invoke('network.setMacPool', { first: '52:54:00:99:00:00', last: '52:54:00:99:00:01' });
    await e.invoke('vm.create', kernelVm(fx.guest, 'p1', { network: [{ kind: 'synthetic', network: null }, { kind: 'synthetic', network: null }] }));
    await expect(e.invoke('vm.create', kernelVm(fx.guest, 'p2', { network: [{ kind: 'synthetic', network: null }] }))).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('2 addresses'),
    });
    const list = await e.invoke('network.list', {});
    expect(list.macPool).toMatchObject({ size: 2, used: 2 });
    await expect(e.invoke('network.setMacPool', { first: '52:54:00:99:00:09', last: '52:54:00:99:00:01' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('network QEMU mapping', () => {
  it('maps backends to -netdev and legacy adapters to e1000 with a boot index', async () => {
    const vm = await fx.engine.invoke('vm.create', kernelVm(fx.guest, 'args'));
    const config = {
      ...vm.config,
      bios: { ...vm.config.bios, bootOrder: ['net' as const, 'ide' as const, 'cd' as const, 'floppy' as const] },
      network: [nic({ id: 'a', network: 'x', mac: '52:54:00:00:00:0a' }), nic({ id: 'b', kind: 'legacy', network: 'y', mac: '52:54:00:00:00:0b' }), nic({ id: 'c', network: null, mac: '52:54:00:00:00:0c' })],
    };
    const paths = { qmp: 'q', serial: 's', vnc: 'v', pidfile: 'p', serialLog: 'l' };
    const args = buildQemuArgs(config, paths, { accel: 'tcg', networks: { a: { kind: 'mcast', group: '239.192.1.2', port: 30005 }, b: { kind: 'user' } } });
    const netdevs = args.filter((_, i) => args[i - 1] === '-netdev');
    expect(netdevs).toEqual(['socket,id=net0,mcast=239.192.1.2:30005,localaddr=127.0.0.1', 'user,id=net1']);
    const devices = args.filter((_, i) => args[i - 1] === '-device').filter((d) => d.includes('"mac"')).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(devices).toEqual([
      { driver: 'virtio-net-pci', netdev: 'net0', mac: '52:54:00:00:00:0a', id: 'nic0' },
      // bootindex 1: with -kernel, QEMU's linuxboot ROM holds 0.
      { driver: 'e1000', netdev: 'net1', mac: '52:54:00:00:00:0b', id: 'nic1', bootindex: 1 },
      { driver: 'virtio-net-pci', mac: '52:54:00:00:00:0c', id: 'nic2' },
    ]);
    expect(netdevArg('n', { kind: 'bridge', bridge: 'br0' })).toBe('bridge,id=n,br=br0');
    // Without a kernel the first boot device gets 0.
    const noKernel = buildQemuArgs({ ...config, kernel: null }, paths, { accel: 'tcg' });
    expect(noKernel.find((a) => a.includes('"e1000"'))).toContain('"bootindex":0');
  });

  it('VLAN ids select separate segments (ports) of a network', async () => {
    const e = fx.engine;
    const lab = await e.invoke('network.create', { name: 'VLab', kind: 'private' });
    const vm = await e.invoke('vm.create', kernelVm(fx.guest, 'vl', { network: [{ kind: 'synthetic', network: 'VLab' }, { kind: 'synthetic', network: 'VLab' }] }));
    const cfg = { ...vm.config, network: vm.config.network.map((a, i) => ({ ...a, vlanId: i === 0 ? null : 12 })) };
    const b = await networksFor(e.context).backends(cfg);
    expect(b['nic0']).toEqual({ kind: 'mcast', group: lab.segment?.group, port: lab.segment?.basePort });
    expect(b['nic1']).toEqual({ kind: 'mcast', group: lab.segment?.group, port: (lab.segment?.basePort ?? 0) + 12 });
  });
});

describe('MAC and bridge helpers', () => {
  it('checks MACs and pools', () => {
    expect(macProblem('52:54:00:12:34:56')).toBeNull();
    expect(macProblem('53:54:00:12:34:56')).toMatch(/multicast/);
    expect(macProblem('00:00:00:00:00:00')).toMatch(/not allowed/);
    expect(() => checkMacPool({ first: '52:54:00:00:00:00', last: '54:54:00:00:00:00' })).toThrow(/first byte/);
    expect(allocateFromPool({ first: '52:54:00:00:00:fe', last: '52:54:00:00:01:01' }, new Set(['52:54:00:00:00:fe', '52:54:00:00:00:ff']))).toBe('52:54:00:00:01:00');
  });

  it('reads bridge.conf the way qemu-bridge-helper does', () => {
    expect(allowedBridges('allow br0\n# allow br1\n', ['br0', 'br1'])).toEqual(['br0']);
    expect(allowedBridges('allow all\ndeny br1', ['br0', 'br1'])).toEqual(['br0']);
    expect(allowedBridges('', ['br0'])).toEqual([]);
  });
});
