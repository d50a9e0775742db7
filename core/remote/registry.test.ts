// "Connect to Server…": a local engine remembers other host services and
// relays their VMs with live state. Two real host services on loopback.
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineClient, type AnyEvent } from '../contract';
import type { RemoteHost } from '../contract/protocol-migration';
import { runCli } from '../cli/main';
import { runHost, type RunningHost } from '../host/main';
import { connectControlSocket } from '../host/control-socket';
import { selfSignedCert } from '../testing/tls-cert';
import { sleep } from '../qemu/qmp';

let dir: string;
const running: RunningHost[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'viridian-remote-'));
});
afterEach(async () => {
  for (const h of running.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function host(name: string, listen = true, port = 0, tls?: { cert: string; key: string }): Promise<RunningHost> {
  const h = await runHost({ dataDir: join(dir, name), log: () => {}, ...(listen ? { listen: { host: '127.0.0.1', port } } : {}), ...(tls ? { tls } : {}) });
  running.push(h);
  return h;
}

async function localClient(h: RunningHost): Promise<EngineClient> {
  const t = await connectControlSocket(h.dataDir);
  if (!t) throw new Error('no control socket');
  return new EngineClient(t);
}

function addressOf(h: RunningHost): string {
  return /\/\/([^/]+)\//.exec(h.url ?? '')?.[1] ?? '';
}

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await sleep(100);
  }
}

describe('remote hosts (hosts.json, relay, reconnect)', () => {
  it('refuses a wrong token and remembers nothing', async () => {
    const a = await host('a', false);
    const b = await host('b');
    const c = await localClient(a);
    await expect(c.call('hosts.add', { address: addressOf(b), token: 'w'.repeat(43) })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(c.call('hosts.add', { address: '127.0.0.1:1', token: b.token ?? '' })).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect(await c.call('hosts.list', {})).toEqual([]);
    expect(existsSync(join(a.dataDir, 'hosts.json'))).toBe(false);
    c.close();
  });

  it('adds a host (token kept 0600), shows its VMs live, relays calls, and reconnects after the host comes back', async () => {
    const a = await host('a', false);
    let b = await host('b');
    const bAddress = addressOf(b);
    const bToken = b.token ?? '';
    const c = await localClient(a);
    const events: AnyEvent[] = [];
    await c.call('session.subscribe', {});
    c.onEvent((e) => events.push(e));

    const added = await c.call('hosts.add', { address: bAddress, token: bToken });
    expect(added).toMatchObject({ address: bAddress, connection: 'connected', tlsFingerprint: null, vms: [] });
    expect(added.info?.dataDir).toBe(b.dataDir);
    expect(JSON.stringify(added)).not.toContain(bToken);
    const file = join(a.dataDir, 'hosts.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(bToken);

    // A VM created on B appears under B, through A, with its state.
    const bc = await localClient(b);
    const vm = await bc.call('vm.create', { name: 'far-away', memoryMiB: 64 });
    await until(() => events, (es) => es.some((e) => e.e === 'hosts.vm.upsert' && e.p.vm.id === vm.id));
    const listed = await c.call('hosts.list', {});
    expect(listed[0]?.vms.map((v) => v.name)).toEqual(['far-away']);

    // The relay: A's console acts on B's VMs; subscriptions stay the relay's business.
    const renamed = await c.call('hosts.call', { host: bAddress, method: 'vm.rename', params: { vm: 'far-away', name: 'renamed' } });
    expect(renamed).toMatchObject({ name: 'renamed' });
    await until(() => c.call('hosts.list', {}), (l) => l[0]?.vms[0]?.name === 'renamed');
    await expect(c.call('hosts.call', { host: bAddress, method: 'session.subscribe', params: {} })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(c.call('hosts.call', { host: bAddress, method: 'no.such', params: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    bc.close();

    // B goes away: shown disconnected, last known VMs kept; B comes back on the same port: reconnects by itself.
    const port = Number(bAddress.split(':')[1]);
    await b.close();
    running.splice(running.indexOf(b), 1);
    const down = await until(() => c.call('hosts.list', {}), (l) => l[0]?.connection === 'disconnected');
    expect(down[0]?.vms.map((v) => v.name)).toEqual(['renamed']);
    expect(down[0]?.error?.message).toMatch(/lost|refused/);
    expect(events.some((e) => e.e === 'hosts.changed' && e.p.host.connection === 'disconnected')).toBe(true);
    b = await host('b', true, port);
    const back = await until(() => c.call('hosts.list', {}), (l) => l[0]?.connection === 'connected', 30_000);
    expect(back[0]?.vms.map((v) => v.name)).toEqual(['renamed']);

    // Forget it.
    expect(await c.call('hosts.remove', { host: bAddress })).toMatchObject({ removed: true });
    expect(await c.call('hosts.list', {})).toEqual([]);
    expect(readFileSync(file, 'utf8')).not.toContain(bToken);
    c.close();
  });

  it('pins a TLS host: trusted on first use, or only with the fingerprint given', async () => {
    const { cert, key, fingerprint256 } = selfSignedCert(dir);
    const a = await host('a', false);
    const b = await host('b', true, 0, { cert, key });
    expect(b.tlsFingerprint).toBe(fingerprint256);
    const c = await localClient(a);
    const address = addressOf(b);
    await expect(c.call('hosts.add', { address, token: b.token ?? '', fingerprint: 'ab'.repeat(32) })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const added = await c.call('hosts.add', { address, token: b.token ?? '', fingerprint: fingerprint256.toLowerCase() });
    expect(added).toMatchObject({ connection: 'connected', tlsFingerprint: fingerprint256 });
    // Relayed calls work over the pinned connection.
    expect(await c.call('hosts.call', { host: added.id, method: 'vm.list', params: {} })).toEqual([]);
    c.close();
  });

  it('CLI: host add / list / remove against the local engine', async () => {
    const a = await host('a', false);
    const b = await host('b');
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false, prompt: () => Promise.resolve(''), cwd: dir, env: {} };
    const address = addressOf(b);
    expect(await runCli(['host', 'add', address, '--token', 'bad'.repeat(15), '--data', a.dataDir], io)).toBe(1);
    expect(err).toMatch(/^error: The host at .* refused the token/);
    err = '';
    expect(await runCli(['host', 'add', address, '--token', b.token ?? '', '--data', a.dataDir], io)).toBe(0);
    expect(out).toContain(`Added ${address}`);
    out = '';
    expect(await runCli(['host', 'list', '--json', '--data', a.dataDir], io)).toBe(0);
    const listed = JSON.parse(out) as RemoteHost[];
    expect(listed).toEqual([expect.objectContaining({ address, connection: 'connected' })]);
    expect(out).not.toContain(b.token ?? '');
    out = '';
    expect(await runCli(['host', 'remove', address, '--data', a.dataDir], io)).toBe(0);
    expect(await runCli(['host', 'remove', address, '--data', a.dataDir], io)).toBe(1);
    expect(await runCli(['host', 'add', address, '--data', a.dataDir], io)).toBe(2);
  });
});
