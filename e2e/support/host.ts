import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { EngineClient, type Transport } from '../../core/contract';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The test guest built by scripts/build-test-guest.sh (npm test builds it first). */
export function guestDir(): string {
  return process.env['VIRIDIAN_GUEST_DIR'] ?? join(homedir(), '.cache/viridian/test-guest');
}

export interface E2eHost {
  dataDir: string;
  url: string;
  token: string;
  consoleUrl: string;
  proc: ChildProcess;
  /** Stops the host process (VMs keep running: they are detached). */
  stop(): Promise<void>;
}

/**
 * A real host service (`viridian host --listen`) on a fresh data dir, the way a
 * person starts one: a child process whose printed URL we open.
 */
export async function startHost(dataDir?: string, token?: string): Promise<E2eHost> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'viridian-e2e-')));
  const proc = spawn(process.execPath, [join(repo, 'bin/viridian.mjs'), 'host', '--listen', '127.0.0.1:0', '--data', dir], {
    cwd: repo,
    env: { ...process.env, VIRIDIAN_STORAGE_ROOTS: [dir, guestDir()].join(delimiter) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => (out += c));
  proc.stderr?.on('data', (c: string) => (out += c));
  const deadline = Date.now() + 60_000;
  let url = '';
  let tok = token ?? '';
  while (Date.now() < deadline) {
    const ws = /websocket: (ws:\/\/[^\s/]+)/.exec(out);
    const t = /token: (\S+)/.exec(out) ?? /\?token=([\w-]+)/.exec(out);
    if (t?.[1]) tok = t[1];
    if (ws?.[1] && tok) {
      url = ws[1].replace(/^ws:/, 'http:');
      break;
    }
    if (proc.exitCode !== null) throw new Error(`host exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error(`host did not start: ${out}`);
  if (!tok) tok = (await readFile(join(dir, 'host-token'), 'utf8')).trim();
  // Fail here, with the cause, rather than as "element not found" in every test.
  if (/web console: not built/.test(out)) throw new Error('The host serves no web console: renderer/dist is not built. Run `npm run build:web` (npm test does it before e2e).');
  return {
    dataDir: dir,
    url,
    token: tok,
    consoleUrl: `${url}/?token=${tok}`,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise<void>((r) => proc.once('exit', () => r()));
    },
  };
}

/** A protocol client to the same host, for setup and for checking what the UI did. */
export async function apiClient(host: E2eHost): Promise<EngineClient> {
  const ws = new WebSocket(`${host.url.replace(/^http/, 'ws')}/api/ws?token=${host.token}`);
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', (e) => rej(e));
  });
  const transport: Transport = {
    send: (t) => ws.send(t),
    onMessage: (cb) => ws.on('message', (d) => cb(d.toString())),
    onClose: (cb) => ws.on('close', () => cb('closed')),
    close: () => ws.close(),
  };
  return new EngineClient(transport);
}

export async function copyGuestDisk(host: E2eHost, file = 'disk.qcow2', as = 'guest.qcow2'): Promise<string> {
  const dst = join(host.dataDir, as);
  await copyFile(join(guestDir(), file), dst);
  return dst;
}

/** Kills every QEMU started from this data dir, then removes it. */
export async function destroyHost(host: E2eHost): Promise<void> {
  await host.stop();
  const { readdir } = await import('node:fs/promises');
  const vms = await readdir(join(host.dataDir, 'vms')).catch(() => []);
  for (const id of vms) {
    const pid = Number(await readFile(join(host.dataDir, 'vms', id, 'qemu.pid'), 'utf8').catch(() => ''));
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await rm(host.dataDir, { recursive: true, force: true });
}

export async function serialLog(host: E2eHost, vmId: string): Promise<string> {
  return readFile(join(host.dataDir, 'vms', vmId, 'serial.log'), 'utf8').catch(() => '');
}
