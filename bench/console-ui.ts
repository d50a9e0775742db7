import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { apiClient, destroyHost, startHost, guestDir } from '../e2e/support/host';
import { median } from './stats';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = join(repo, 'renderer/dist');
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function buildRenderer(): Promise<void> {
  await new Promise<void>((res, rej) => {
    const p = spawn(join(repo, 'node_modules/.bin/vite'), ['build', '-c', 'renderer/vite.config.ts'], { cwd: repo, stdio: 'ignore' });
    p.on('exit', (c) => (c === 0 ? res() : rej(new Error(`vite build exited ${c}`))));
  });
}

/** The simulated fleet page (10,000 SIMULATED VMs, no engine) served from the built bundle. */
async function fleetBench(browser: Browser): Promise<unknown> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = join(dist, (req.url ?? '/').split('?')[0] ?? '/');
    if (!path.startsWith(dist)) return void res.writeHead(403).end();
    readFile(path).then(
      (b) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(b),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/bench.html`);
    await page.waitForFunction(() => (window as { __benchResult?: unknown; __benchError?: string }).__benchResult ?? (window as { __benchError?: string }).__benchError, undefined, { timeout: 300_000 });
    const err = await page.evaluate(() => (window as { __benchError?: string }).__benchError);
    if (err) throw new Error(err);
    return page.evaluate(() => (window as { __benchResult?: unknown }).__benchResult);
  } finally {
    server.close();
  }
}

/**
 * Real engine: time from a VM state change in the engine (its status.since
 * timestamp) to the row showing it on the next painted frame, over pause/resume.
 */
async function engineToRow(browser: Browser, samples: number): Promise<{ samples: number; p50: number; max: number; all: number[] }> {
  const host = await startHost();
  const api = await apiClient(host);
  try {
    const g = guestDir();
    await api.call('vm.create', { name: 'bench-row', memoryMiB: 128, kernel: { path: join(g, 'vmlinuz'), initrd: join(g, 'initrd.img'), append: 'console=ttyS0 quiet' } });
    const start = await api.call('vm.action', { vm: 'bench-row', action: 'start' });
    await api.call('job.wait', { id: start.id, timeoutMs: 60_000 });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.consoleUrl);
    await page.getByTestId('vm-row-bench-row').waitFor();
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const action = i % 2 === 0 ? 'pause' : 'resume';
      const want = action === 'pause' ? 'Paused' : 'Running';
      const seen = page.evaluate(
        (w) =>
          new Promise<number>((res) => {
            const cell = document.querySelector('[data-testid="vm-state-bench-row"]');
            if (!cell) throw new Error('no state cell');
            const obs = new MutationObserver(() => {
              if (cell.textContent?.includes(w)) {
                obs.disconnect();
                requestAnimationFrame(() => res(performance.timeOrigin + performance.now()));
              }
            });
            obs.observe(cell, { subtree: true, childList: true, characterData: true });
          }),
        want,
      );
      const job = await api.call('vm.action', { vm: 'bench-row', action });
      await api.call('job.wait', { id: job.id, timeoutMs: 30_000 });
      const paintedAt = await seen;
      const vm = await api.call('vm.get', { vm: 'bench-row' });
      out.push(paintedAt - Date.parse(vm.status.since));
    }
    return { samples, p50: median(out), max: Math.max(...out), all: out.map((x) => Math.round(x)) };
  } finally {
    api.close();
    await destroyHost(host);
  }
}

export async function benchConsole(): Promise<{ text: string; json: unknown }> {
  await buildRenderer();
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ARGS });
  try {
    const fleet = (await fleetBench(browser)) as {
      vms: number;
      updateToDomMs: { p50: number; p95: number };
      updateToPaintMs: { p50: number; p95: number };
      scroll: { fps: number; p95FrameMs: number; longFrames: number };
    };
    const row = await engineToRow(browser, 20);
    const text = [
      `Console, simulated fleet of ${fleet.vms} VMs (no engine): update → DOM p50 ${fleet.updateToDomMs.p50.toFixed(1)} ms (p95 ${fleet.updateToDomMs.p95.toFixed(1)}), update → painted p50 ${fleet.updateToPaintMs.p50.toFixed(1)} ms (p95 ${fleet.updateToPaintMs.p95.toFixed(1)})`,
      `  scrolling: ${fleet.scroll.fps.toFixed(1)} fps, p95 frame ${fleet.scroll.p95FrameMs.toFixed(1)} ms, ${fleet.scroll.longFrames} long frames`,
      `Console, real engine: VM state change → row repainted p50 ${row.p50.toFixed(1)} ms, max ${row.max.toFixed(1)} ms over ${row.samples} pause/resume changes`,
    ].join('\n');
    return { text, json: { fleet, engineToRow: row } };
  } finally {
    await browser.close();
  }
}
