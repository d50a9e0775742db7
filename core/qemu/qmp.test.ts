import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ViridianError } from '../contract';
import { QmpClient } from './qmp';

const dirs: string[] = [];
const procs: ChildProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vqmp-'));
  dirs.push(d);
  return d;
}

function startQemu(sock: string): ChildProcess {
  const p = spawn('qemu-system-x86_64', ['-machine', 'none', '-display', 'none', '-nodefaults', '-qmp', `unix:${sock},server=on,wait=off`], {
    stdio: 'ignore',
  });
  procs.push(p);
  return p;
}

afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('QmpClient against a real QEMU', () => {
  it('negotiates capabilities, runs commands by id and streams events', async () => {
    const sock = join(tempDir(), 'qmp.sock');
    const p = startQemu(sock);
    const qmp = await QmpClient.connect(sock, { retryForMs: 5000, isAlive: () => p.exitCode === null });
    const status = await qmp.execute<{ status: string }>('query-status');
    expect(typeof status.status).toBe('string');
    const stopped = qmp.waitForEvent((e) => e.event === 'STOP', 5000);
    await qmp.execute('stop');
    expect((await stopped).event).toBe('STOP');
    // Two commands in flight at once are matched by id.
    const [a, b] = await Promise.all([qmp.execute<{ status: string }>('query-status'), qmp.execute<{ qemu: unknown }>('query-version')]);
    expect(a.status).toBe('paused');
    expect(b).toHaveProperty('qemu');
    qmp.close();
  });

  it('turns a refused command into a QMP_ERROR with QEMU’s sentence', async () => {
    const sock = join(tempDir(), 'qmp.sock');
    const p = startQemu(sock);
    const qmp = await QmpClient.connect(sock, { retryForMs: 5000, isAlive: () => p.exitCode === null });
    await expect(qmp.execute('no-such-command')).rejects.toMatchObject({ code: 'QMP_ERROR' });
    qmp.close();
  });

  it('fails pending commands cleanly when QEMU dies mid-command', async () => {
    const sock = join(tempDir(), 'qmp.sock');
    const p = startQemu(sock);
    const qmp = await QmpClient.connect(sock, { retryForMs: 5000 });
    const closed = new Promise<string>((r) => qmp.onClose(r));
    const quit = qmp.execute('quit').catch((e: unknown) => e);
    const after = await quit;
    // quit either answers or the socket closes first; both are fine.
    expect(after === undefined || after instanceof ViridianError || (after as object) !== null).toBe(true);
    await closed;
    await expect(qmp.execute('query-status')).rejects.toMatchObject({ code: 'QEMU_FAILED' });
    expect(p.pid).toBeDefined();
  });

  it('reports a killed QEMU to commands that were waiting', async () => {
    const sock = join(tempDir(), 'qmp.sock');
    const p = startQemu(sock);
    const qmp = await QmpClient.connect(sock, { retryForMs: 5000 });
    // An event that never comes keeps a waiter open; the kill must end it.
    const waiting = qmp.waitForEvent((e) => e.event === 'NEVER', 30_000);
    p.kill('SIGKILL');
    await expect(waiting).rejects.toMatchObject({ code: 'QEMU_FAILED' });
  });

  it('gives up when the process is gone instead of retrying forever', async () => {
    const sock = join(tempDir(), 'missing.sock');
    await expect(QmpClient.connect(sock, { retryForMs: 10_000, isAlive: () => false })).rejects.toMatchObject({ code: 'QEMU_FAILED' });
  });

  it('times out a command a peer never answers', async () => {
    // A socket that greets like QEMU and then stays silent (QEMU itself cannot be made to hang on cue).
    const sock = join(tempDir(), 'silent.sock');
    const server = createServer((c) => {
      c.write('{"QMP": {"version": {}, "capabilities": []}}\n');
      c.on('data', (d) => {
        if (d.toString().includes('qmp_capabilities')) {
          const id = /"id":"([^"]+)"/.exec(d.toString())?.[1];
          c.write(`{"return": {}, "id": "${id}"}\n`);
        }
      });
    });
    await new Promise<void>((r) => server.listen(sock, r));
    const qmp = await QmpClient.connect(sock);
    await expect(qmp.execute('query-status', undefined, 200)).rejects.toMatchObject({ code: 'TIMEOUT' });
    qmp.close();
    server.close();
  });
});
