// VM Connection plumbing on the real test guest: one-time console tickets to
// the VNC and serial sockets, through the engine's loopback endpoint and the
// host's web server; screendump thumbnails; media; typed text.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { guestAppend, GUEST_READY_RE } from '../testing/guest';
import { engineFixture, kernelVm, runAction, waitForSerial, type EngineFixture } from '../testing/engine-fixture';
import { runHost } from '../host/main';
import { guestRun } from './snapshots-testkit';
import { textToKeys } from './consoles-keys';

let fx: EngineFixture;
beforeEach(async () => {
  fx = await engineFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** Opens a WebSocket and records what arrives from the first byte on (data can come with the handshake). */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket & { received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const ws = Object.assign(new WebSocket(url, ['binary'], { headers }), { received: [] as Buffer[] });
    ws.on('message', (d: Buffer) => ws.received.push(d));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function firstBytes(ws: { received: Buffer[] }, n: number): Promise<Buffer> {
  for (let i = 0; i < 200; i++) {
    const got = Buffer.concat(ws.received);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no data');
}

describe('VM Connection plumbing', () => {
  it('bridges a ticketed WebSocket to VNC (RFB handshake) and to the serial console; a ticket works once', async () => {
    const e = fx.engine;
    await e.invoke('vm.create', kernelVm(fx.guest, 'con', { kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend() } }));
    await expect(e.invoke('console.open', { vm: 'con' })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await e.invoke('console.thumbnail', { vm: 'con' })).toBeNull();
    await runAction(e, 'con', 'start');
    await waitForSerial(e, 'con', GUEST_READY_RE);

    const t = await e.invoke('console.open', { vm: 'con', kind: 'vnc' });
    expect(t.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/console\/[\w-]{32}$/);
    const ws = await open(t.url);
    expect((await firstBytes(ws, 12)).subarray(0, 12).toString('latin1')).toBe('RFB 003.008\n');
    ws.close();
    await expect(open(t.url)).rejects.toThrow(/HTTP 401/);
    await expect(open(t.url.replace(/[\w-]{32}$/, 'x'.repeat(32)))).rejects.toThrow(/HTTP 401/);
    // Only loopback names reach the endpoint.
    await expect(open((await e.invoke('console.open', { vm: 'con' })).url, { Host: 'evil.example:80' })).rejects.toThrow(/HTTP 403/);

    // Serial: what we type runs in the guest's shell, what it prints comes back.
    const s = await open((await e.invoke('console.open', { vm: 'con', kind: 'serial' })).url);
    s.send('echo SERIAL-OK-$((40+2))\n');
    for (let i = 0; i < 200 && !/SERIAL-OK-42/.test(Buffer.concat(s.received).toString('latin1')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.concat(s.received).toString('latin1')).toMatch(/SERIAL-OK-42/);
    s.close();
  }, 120_000);

  it('takes screendump thumbnails, changes the DVD while running, and types text on the keyboard', async () => {
    const e = fx.engine;
    const iso = join(fx.dataDir, 'tools.iso');
    await writeFile(iso, Buffer.alloc(2048 * 16, 7));
    await e.invoke('vm.create', kernelVm(fx.guest, 'kbd', { kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend() } }));
    await runAction(e, 'kbd', 'start');
    await waitForSerial(e, 'kbd', GUEST_READY_RE);

    const thumb = await e.invoke('console.thumbnail', { vm: 'kbd' });
    expect(thumb).not.toBeNull();
    const png = Buffer.from(thumb?.png ?? '', 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(640); // width of the VGA screen

    expect(await e.invoke('console.media', { vm: 'kbd', drive: 'dvd', path: iso })).toEqual({ drive: 'dvd', path: iso });
    const blocks = (await e.getVm('kbd').qmpClient()?.execute<{ qdev?: string; inserted?: { file: string } }[]>('query-block')) ?? [];
    expect(blocks.find((b) => b.qdev === 'ide1-0')?.inserted?.file).toBe(iso);
    expect(e.getVm('kbd').config.ide[1][0]).toEqual({ kind: 'dvd', path: iso });
    await e.invoke('console.media', { vm: 'kbd', drive: 'dvd', path: null });
    const after = (await e.getVm('kbd').qmpClient()?.execute<{ qdev?: string; inserted?: unknown }[]>('query-block')) ?? [];
    expect(after.find((b) => b.qdev === 'ide1-0')?.inserted).toBeUndefined();
    await expect(e.invoke('console.media', { vm: 'kbd', drive: 'floppy', path: iso })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    // A reader on the VGA console's terminal receives what the keyboard types.
    expect((await guestRun(e, 'kbd', '(cat /dev/tty1 > /tmp/typed &)')).rc).toBe(0);
    const text = 'Hello, World! a_b=c+1 {x} "q" ~/p\n';
    expect(await e.invoke('console.typeText', { vm: 'kbd', text })).toEqual({ typed: textToKeys(text).combos.length });
    const deadline = Date.now() + 30_000;
    let typed = '';
    while (Date.now() < deadline && !typed.includes('~/p')) {
      typed = (await guestRun(e, 'kbd', 'echo "TYPED[$(cat /tmp/typed)]"')).output;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(typed).toContain('TYPED[Hello, World! a_b=c+1 {x} "q" ~/p]');
    expect(await e.invoke('console.sendKeys', { vm: 'kbd', keys: 'ctrl-alt-delete' })).toEqual({ sent: true });
  }, 120_000);

  it('serves the same tickets on the host web server (same-origin pages only)', async () => {
    const host = await runHost({ dataDir: join(fx.dataDir, 'host'), storageRoots: [fx.dataDir, fx.guest.dir], listen: { host: '127.0.0.1', port: 0 }, log: () => undefined });
    try {
      const e = host.engine;
      await e.invoke('vm.create', kernelVm(fx.guest, 'web', { kernel: { path: fx.guest.kernel, initrd: fx.guest.initrd, append: guestAppend() } }));
      const job = await e.invoke('vm.action', { vm: 'web', action: 'start' });
      for (let i = 0; i < 600 && (await e.invoke('job.get', { id: job.id })).state === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
      const base = (host.url ?? '').replace(/^http/, 'ws').replace(/\/$/, '');
      const origin = (host.url ?? '').replace(/\/$/, '');
      const t = await e.invoke('console.open', { vm: 'web' });
      const ws = await open(`${base}${t.path}`, { Origin: origin });
      expect((await firstBytes(ws, 12)).toString('latin1', 0, 12)).toBe('RFB 003.008\n');
      ws.close();
      const t2 = await e.invoke('console.open', { vm: 'web' });
      await expect(open(`${base}${t2.path}`, { Origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/);
      await e.invoke('vm.action', { vm: 'web', action: 'turnOff' });
    } finally {
      await host.close();
    }
  }, 120_000);
});
