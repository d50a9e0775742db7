import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../contract';
import { controlSocketPath } from '../host/control-socket';
import { runHost } from '../host/main';
import { connectWebSocket } from '../host/ws-client';
import { captureCli as cli, expectOneLineError as oneLineError } from '../testing/cli-harness';

const BIN = fileURLToPath(new URL('../../bin/viridian.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('command line parsing', () => {
  it('prints help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: viridian');
    for (const cmd of [['vm', 'create'], ['vm', 'list'], ['disk', 'create'], ['host'], ['doctor']]) {
      const h = await cli([...cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.out).toContain('--data <DIR>');
      expect(h.out).toContain('--json');
    }
  });

  it.each([
    [['frobnicate']],
    [['vm', 'lst']],
    [['vm', 'create', 'x', '--memory', '0']],
    [['vm', 'create', 'x', '--memory', 'abc']],
    [['vm', 'create', 'x', '--cpus', '0']],
    [['vm', 'create', 'x', '--new-disk', 'big']],
    [['vm', 'create', 'x', '--new-disk', '2G', '--disk', '/a.qcow2']],
    [['vm', 'create', 'x', '--disk-format', 'vhd']],
    [['vm', 'create', 'x', '--initrd', '/i']],
    [['vm', 'create']],
    [['vm', 'show']],
    [['vm', 'start']],
    [['disk', 'create', '/x.qcow2']],
    [['disk', 'create', '/x.qcow2', '--size', '1G', '--format', 'vmdk']],
    [['host', '--listen', 'nowhere']],
    [['vm', 'list', '--bogus']],
  ])('refuses %j with exit 2 and one line on stderr', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    oneLineError(r);
    expect(r.out).toBe('');
  });

  it('prints the usage error as JSON too with --json', async () => {
    const r = await cli(['vm', 'create', 'x', '--memory', 'abc', '--json']);
    expect(r.code).toBe(2);
    oneLineError(r);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('--memory') } });
  });
});

describe('the viridian launcher', () => {
  it('runs as a real process: --help exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: viridian');
    expect(r.stdout).toContain('vm');
  });

  it('exits by itself after a command that opened the engine in-process', () => {
    const data = mkdtempSync(join(tmpdir(), 'viridian-cli-exit-'));
    try {
      const started = Date.now();
      // No forced exit: a leaked handle would hang the process until the timeout kills it.
      const r = spawnSync(process.execPath, [BIN, 'vm', 'list', '--json', '--data', data], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, VIRIDIAN_NO_FORCE_EXIT: '1' },
      });
      expect(r.signal).toBeNull();
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('vm and disk commands with the real engine', () => {
  let base: string;
  let data: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'viridian-cli-'));
    data = join(base, 'data');
    mkdirSync(data, { recursive: true });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('lists nothing at first (JSON and table)', async () => {
    const json = await cli(['vm', 'list', '--json', '--data', data]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([]);
    const human = await cli(['vm', 'list', '--data', data]);
    expect(human.code).toBe(0);
    expect(human.out).toContain('No virtual machines');
  });

  it('takes the data directory from VIRIDIAN_DATA, relative to the cwd', async () => {
    const r = await cli(['vm', 'list', '--json'], { cwd: base, env: { VIRIDIAN_DATA: 'data' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
  });

  it('creates, shows, lists and deletes a VM', async () => {
    const created = await cli(['vm', 'create', 'cli-one', '--memory', '64', '--cpus', '2', '--json', '--data', data]);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    const vm = JSON.parse(created.out) as Record<string, unknown>;
    expect(vm).toMatchObject({ name: 'cli-one', state: 'Off', memoryMiB: 64, cpus: 2, uptimeSec: null, cpuPercent: null, notes: '' });
    expect(typeof vm['id']).toBe('string');
    expect(typeof vm['stateReason']).toBe('string');

    const list = await cli(['vm', 'list', '--json', '--data', data]);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'cli-one', id: vm['id'], state: 'Off', memoryMiB: 64, cpus: 2 })]);

    const table = await cli(['vm', 'list', '--data', data]);
    expect(table.out.split('\n')[0]).toMatch(/^Name\s+State\s+CPU\s+Memory\s+Uptime\s+Status$/);
    expect(table.out).toMatch(/cli-one\s+Off\s+64 MiB/);

    const show = await cli(['vm', 'show', 'cli-one', '--data', data]);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/^Name:\s+cli-one$/m);
    expect(show.out).toMatch(/^State:\s+Off$/m);
    const showJson = await cli(['vm', 'show', String(vm['id']), '--json', '--data', data]);
    expect(JSON.parse(showJson.out)).toMatchObject({ name: 'cli-one', state: 'Off', memoryMiB: 64, cpus: 2 });

    // Turning off a VM that is off is refused by the engine: exit 1, one line.
    const stop = await cli(['vm', 'stop', 'cli-one', '--data', data]);
    expect(stop.code).toBe(1);
    oneLineError(stop);

    const noTty = await cli(['vm', 'delete', 'cli-one', '--data', data]);
    expect(noTty.code).toBe(1);
    oneLineError(noTty);
    expect(noTty.err).toContain('--yes');
    expect(noTty.out).toContain('removes:');

    const noTtyJson = await cli(['vm', 'delete', 'cli-one', '--json', '--data', data]);
    expect(noTtyJson.code).toBe(1);
    expect(JSON.parse(noTtyJson.out)).toMatchObject({ error: { code: 'INVALID_INPUT' }, wouldDelete: { deleted: false } });

    const declined = await cli(['vm', 'delete', 'cli-one', '--data', data], { isTTY: true, answer: 'n' });
    expect(declined.code).toBe(1);
    expect((await cli(['vm', 'show', 'cli-one', '--data', data])).code).toBe(0);

    const confirmed = await cli(['vm', 'delete', 'cli-one', '--data', data], { isTTY: true, answer: 'y' });
    expect(confirmed.code).toBe(0);

    const gone = await cli(['vm', 'show', 'cli-one', '--json', '--data', data]);
    expect(gone.code).toBe(1);
    oneLineError(gone);
    expect(JSON.parse(gone.out)).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('creates a VM with a new disk and deletes it with --yes', async () => {
    const r = await cli(['vm', 'create', 'cli-disk', '--new-disk', '64M', '--disk-format', 'qcow2', '--json', '--data', data]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const vm = JSON.parse(r.out) as { config: { ide: unknown[][] } };
    expect(JSON.stringify(vm.config.ide)).toContain('"format":"qcow2"');
    const del = await cli(['vm', 'delete', 'cli-disk', '--yes', '--json', '--data', data]);
    expect(del.code).toBe(0);
    expect(JSON.parse(del.out)).toMatchObject({ deleted: true });
  });

  it('creates and inspects a disk, relative paths against the cwd', async () => {
    mkdirSync(join(data, 'disks'));
    const made = await cli(['disk', 'create', 'disks/one.vhd', '--size', '64M', '--format', 'vhd', '--type', 'fixed', '--json', '--data', data], { cwd: data });
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(JSON.parse(made.out)).toMatchObject({ job: { state: 'completed' }, disk: { path: join(data, 'disks', 'one.vhd'), virtualSize: 64 * 1024 * 1024 } });
    const info = await cli(['disk', 'inspect', join(data, 'disks', 'one.vhd'), '--data', data]);
    expect(info.code).toBe(0);
    expect(info.out).toMatch(/^Format:\s+vhd$/m);
    expect(info.out).toMatch(/^Type:\s+fixed$/m);
    const missing = await cli(['disk', 'inspect', join(data, 'nope.qcow2'), '--data', data]);
    expect(missing.code).toBe(1);
    oneLineError(missing);
  });
});

describe('viridian doctor', () => {
  it('prints each check with a mark and exits 1 only when a required one fails', async () => {
    const data = mkdtempSync(join(tmpdir(), 'viridian-cli-doctor-'));
    try {
      const json = await cli(['doctor', '--json', '--data', data]);
      const doc = JSON.parse(json.out) as { ok: boolean; checks: { ok: boolean; title: string; severity?: string }[] };
      expect(doc.checks.length).toBeGreaterThan(0);
      expect(doc.ok).toBe(doc.checks.every((c) => c.ok || c.severity === 'warn'));
      expect(json.code).toBe(doc.ok ? 0 : 1);
      const human = await cli(['doctor', '--data', data]);
      expect(human.code).toBe(json.code);
      for (const c of doc.checks) expect(human.out).toContain(`${c.ok ? '✓' : c.severity === 'warn' ? '!' : '✗'} ${c.title}:`);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('the CLI with a running host', () => {
  it('talks to an in-process host over its control socket', async () => {
    const data = mkdtempSync(join(tmpdir(), 'viridian-cli-host-'));
    const host = await runHost({ dataDir: data, log: () => {} });
    try {
      // The host holds the data dir lock, so success means the socket was used.
      const created = await cli(['vm', 'create', 'via-host', '--memory', '32', '--json', '--data', data]);
      expect(created.code).toBe(0);
      const list = await host.engine.invoke('vm.list', {});
      expect(list.map((v) => v.name)).toEqual(['via-host']);
      const del = await cli(['vm', 'delete', 'via-host', '--yes', '--data', data]);
      expect(del.code).toBe(0);
    } finally {
      await host.close();
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('runs `viridian host --listen` as a process, prints its token once, and stops on SIGTERM', async () => {
    const data = mkdtempSync(join(tmpdir(), 'viridian-cli-proc-'));
    const child = spawn(process.execPath, [BIN, 'host', '--listen', '127.0.0.1:0', '--data', data], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      const lines = await new Promise<string[]>((done, fail) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString('utf8');
          if (/^token: /m.test(stdout)) done(stdout.split('\n'));
        });
        child.once('exit', (code) => fail(new Error(`host exited early (${code}): ${stdout}`)));
      });
      const ws = lines.find((l) => l.startsWith('websocket: '))?.slice('websocket: '.length) ?? '';
      const token = /^token: (\S+)/m.exec(stdout)?.[1] ?? '';
      expect(ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/ws$/);
      expect(token).toBe(readFileSync(join(data, 'host-token'), 'utf8').trim());
      expect(lines.some((l) => l.startsWith('control socket: '))).toBe(true);

      const client = new EngineClient(await connectWebSocket(ws, token));
      expect((await client.call('host.info', {})).dataDir).toBe(data);
      client.close();
      expect((await cli(['vm', 'list', '--json', '--data', data])).out.trim()).toBe('[]');

      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(controlSocketPath(data))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });
});

const GUEST = process.env['VIRIDIAN_GUEST_DIR'] ?? join(homedir(), '.cache', 'viridian', 'test-guest');
const haveGuest = existsSync(join(GUEST, 'manifest.json'));

describe.skipIf(!haveGuest)('VM lifecycle through the CLI with the test guest (needs `npm run guest`)', () => {
  it('starts, pauses, resumes and turns off a real guest', async () => {
    const data = mkdtempSync(join(tmpdir(), 'viridian-cli-guest-'));
    // Inside the data dir, which is always a storage root.
    mkdirSync(join(data, 'guest'));
    copyFileSync(join(GUEST, 'vmlinuz'), join(data, 'guest', 'vmlinuz'));
    copyFileSync(join(GUEST, 'initrd.img'), join(data, 'guest', 'initrd.img'));
    const d = ['--data', data];
    try {
      const c = await cli(['vm', 'create', 'tiny', '--memory', '96', '--kernel', join(data, 'guest', 'vmlinuz'), '--initrd', join(data, 'guest', 'initrd.img'), '--append', 'console=ttyS0', ...d]);
      expect(c.err).toBe('');
      expect(c.code).toBe(0);
      const start = await cli(['vm', 'start', 'tiny', '--json', ...d]);
      expect(start.err).toBe('');
      expect(JSON.parse(start.out)).toMatchObject({ job: { state: 'completed' }, vm: { state: 'Running' } });
      const list = await cli(['vm', 'list', '--json', ...d]);
      expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'tiny', state: 'Running' })]);
      expect((await cli(['vm', 'pause', 'tiny', ...d])).out).toContain('now Paused');
      expect((await cli(['vm', 'resume', 'tiny', ...d])).out).toContain('now Running');
      const stop = await cli(['vm', 'stop', 'tiny', ...d]);
      expect(stop.code).toBe(0);
      expect(stop.out).toContain('now Off');
    } finally {
      await cli(['vm', 'stop', 'tiny', ...d]);
      await cli(['vm', 'delete', 'tiny', '--yes', ...d]);
      rmSync(data, { recursive: true, force: true });
    }
  });
});
