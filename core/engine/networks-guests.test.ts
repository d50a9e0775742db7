// Virtual networks with real guests (TCG): who can reach whom.
import { copyFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodParams } from '../contract';
import { guestAppend, IP_RE } from '../testing/guest';
import { guestRun } from '../testing/guest-shell';
import { engineFixture, kernelVm, runAction, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import { ensureLegacyGuest } from '../testing/legacy-guest';
import type { Engine } from './engine';
import { stopHostSwitch } from './networks-host';
import { networksFor } from './networks-store';

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  // Internal networks' host switches are processes of their own.
  for (const n of (await fx.engine.invoke('network.list', {})).networks) {
    if (n.kind === 'internal') await stopHostSwitch(fx.dataDir, n);
  }
  await fx.cleanup();
});

function withNet(name: string, network: string | null, ip: string | null, extra: Partial<MethodParams<'vm.create'>> = {}): MethodParams<'vm.create'> {
  const base = kernelVm(fx.guest, name, { network: [{ kind: 'synthetic', network }], ...extra });
  const kernel = base.kernel ?? null;
  return { ...base, kernel: kernel ? { ...kernel, append: guestAppend(ip ? { ip } : { dhcp: true }) } : null };
}

async function startAll(engine: Engine, names: string[]): Promise<void> {
  const jobs = await Promise.all(names.map((vm) => engine.invoke('vm.action', { vm, action: 'start' })));
  for (const j of jobs) expect((await engine.waitJob(j.id, 180_000)).state).toBe('completed');
  for (const vm of names) await waitForSerial(engine, vm, IP_RE, 120_000);
}

describe('virtual networks with real guests', () => {
  it('guests on the same Private network reach each other; another Private network or another VLAN does not', async () => {
    const e = fx.engine;
    await e.invoke('network.create', { name: 'Red', kind: 'private' });
    await e.invoke('network.create', { name: 'Blue', kind: 'private' });
    await e.invoke('vm.create', withNet('a', 'Red', '10.77.0.1/24'));
    await e.invoke('vm.create', withNet('b', 'Red', '10.77.0.2/24'));
    await e.invoke('vm.create', withNet('c', 'Blue', '10.77.0.3/24'));
    const d = await e.invoke('vm.create', withNet('d', 'Red', '10.77.0.4/24'));
    await e.invoke('vm.update', { vm: 'd', changes: { network: d.config.network.map((n) => ({ ...n, vlanId: 5 })) } });
    await startAll(e, ['a', 'b', 'c', 'd']);

    expect(await guestRun(e, 'a', 'ping -c 2 -W 3 10.77.0.2')).toBe(0);
    expect(await guestRun(e, 'b', 'ping -c 2 -W 3 10.77.0.1')).toBe(0);
    // Same subnet, other network: no answer.
    expect(await guestRun(e, 'a', 'ping -c 2 -W 2 10.77.0.3')).not.toBe(0);
    expect(await guestRun(e, 'c', 'ping -c 2 -W 2 10.77.0.2')).not.toBe(0);
    // Same network, VLAN 5 vs untagged: no answer either.
    expect(await guestRun(e, 'a', 'ping -c 2 -W 2 10.77.0.4')).not.toBe(0);
  }, 300_000);

  it('External (Default Switch, NAT) gives the guest an address by DHCP', async () => {
    const e = fx.engine;
    await e.invoke('vm.create', withNet('ext', 'Default Switch', null));
    await startAll(e, ['ext']);
    const text = await waitForSerial(e, 'ext', IP_RE);
    expect(IP_RE.exec(text)?.[1]).toBe('10.0.2.15');
    // The NAT's gateway (the host side) answers.
    expect(await guestRun(e, 'ext', 'ping -c 1 -W 3 10.0.2.2')).toBe(0);
  }, 200_000);

  it('Internal: guests reach each other and the host when the host allows a TAP interface', async (t) => {
    const e = fx.engine;
    const caps = (await e.invoke('network.list', {})).capabilities;
    if (!caps.hostInterface.available) {
      t.skip(`host interface not available here: ${caps.hostInterface.reason}`);
      return;
    }
    const net = await e.invoke('network.create', { name: 'Back', kind: 'internal', hostAddress: '10.233.41.1/24' });
    expect(net.hostAttached).toBe(true);
    await e.invoke('vm.create', withNet('i1', 'Back', '10.233.41.11/24'));
    await e.invoke('vm.create', withNet('i2', 'Back', '10.233.41.12/24'));
    await startAll(e, ['i1', 'i2']);
    expect(await guestRun(e, 'i1', 'ping -c 2 -W 3 10.233.41.12')).toBe(0);
    expect(await guestRun(e, 'i1', 'ping -c 2 -W 3 10.233.41.1')).toBe(0);
    // Host → guest: a TCP connect to a closed port is answered with RST (refused), not a timeout.
    const outcome = await new Promise<string>((resolve) => {
      const s = connect({ host: '10.233.41.12', port: 9, timeout: 8000 });
      s.once('connect', () => resolve('connected'));
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      s.once('timeout', () => {
        s.destroy();
        resolve('timeout');
      });
    });
    expect(outcome).toBe('ECONNREFUSED');
    for (const vm of ['i1', 'i2']) await runAction(e, vm, 'turnOff');
    await e.invoke('vm.delete', { vm: 'i1', confirm: true });
    await e.invoke('vm.delete', { vm: 'i2', confirm: true });
    await e.invoke('network.delete', { network: 'Back' });
    expect((await networksFor(e.context).find('Back'))).toBeNull();
  }, 300_000);

  it('a Legacy Network Adapter (emulated e1000) in a guest with the driver talks to a synthetic one', async () => {
    const legacy = await ensureLegacyGuest();
    expect(legacy.modules).toContain('e1000');
    const kernel = join(fx.dataDir, 'generic-vmlinuz');
    const initrd = join(fx.dataDir, 'generic-initrd.img');
    await copyFile(legacy.kernel, kernel);
    await copyFile(legacy.initrd, initrd);
    const e = fx.engine;
    await e.invoke('network.create', { name: 'Mixed', kind: 'private' });
    await e.invoke('vm.create', {
      name: 'old',
      memoryMiB: 128,
      kernel: { path: kernel, initrd, append: guestAppend({ ip: '10.78.0.1/24' }) },
      network: [{ kind: 'legacy', network: 'Mixed' }],
    });
    await e.invoke('vm.create', withNet('new', 'Mixed', '10.78.0.2/24'));
    await startAll(e, ['old', 'new']);
    expect(await guestRun(e, 'old', 'readlink /sys/class/net/eth0/device/driver | grep -q e1000')).toBe(0);
    expect(await guestRun(e, 'new', 'readlink /sys/class/net/eth0/device/driver | grep -q virtio')).toBe(0);
    expect(await guestRun(e, 'old', 'ping -c 2 -W 3 10.78.0.2')).toBe(0);
  }, 900_000);
});
