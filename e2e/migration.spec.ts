import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { MigrationResult } from '../core/contract/protocol-migration';
import { apiClient, destroyHost, guestDir, serialLog, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// Connect to Server, a second host's VMs in the tree, and the Migrate wizard,
// against two real host services and the real test guest.
test.describe.configure({ mode: 'serial' });

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Host B: its own process on a fixed port, so it can go away and come back at the same address. */
interface HostB {
  dataDir: string;
  port: number;
  token: string;
  proc: ChildProcess;
}

async function startB(dataDir: string, port = 0): Promise<HostB> {
  const proc = spawn(process.execPath, [join(repo, 'bin/viridian.mjs'), 'host', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    cwd: repo,
    env: { ...process.env, VIRIDIAN_STORAGE_ROOTS: [dataDir, guestDir()].join(delimiter) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const deadline = Date.now() + 60_000;
  while (!/websocket: ws:\/\/127\.0\.0\.1:(\d+)/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`host B did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const bound = Number(/websocket: ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  return { dataDir, port: bound, token: (await readFile(join(dataDir, 'host-token'), 'utf8')).trim(), proc };
}

async function stopB(b: HostB): Promise<void> {
  if (b.proc.exitCode !== null) return;
  await new Promise<void>((done) => {
    b.proc.once('exit', () => done());
    b.proc.kill('SIGTERM');
  });
}

let a: E2eHost;
let b: HostB;
let bDir: string;
const VM = 'mig e2e 01';

const shot = screenshots('migration');

test.beforeAll(async () => {
  a = await startHost();
  bDir = await mkdtemp(join(tmpdir(), 'viridian-e2e-b-'));
  b = await startB(bDir);
  const api = await apiClient(a);
  try {
    const g = guestDir();
    const vm = await api.call('vm.create', { name: VM, memoryMiB: 128, kernel: { path: join(g, 'vmlinuz'), initrd: join(g, 'initrd.img'), append: 'console=ttyS0 quiet' } });
    await api.call('vm.action', { vm: vm.id, action: 'start' });
  } finally {
    api.close();
  }
});

test.afterAll(async () => {
  if (b) {
    await stopB(b);
    const { readdir } = await import('node:fs/promises');
    for (const id of await readdir(join(bDir, 'vms')).catch(() => [])) {
      const pid = Number(await readFile(join(bDir, 'vms', id, 'qemu.pid'), 'utf8').catch(() => ''));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await rm(bDir, { recursive: true, force: true });
  }
  if (a) await destroyHost(a);
});

test('Connect to Server adds host B to the tree; Migrate… moves a running VM there with its phases, downtime and bytes; B going away shows and heals', async ({ page }) => {
  await page.goto(a.consoleUrl);
  await expect(page.getByTestId('status-connection')).toContainText(/Connected/);
  const row = page.getByTestId(`vm-row-${VM}`);
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running', { timeout: 60_000 });
  const vmId = await (async () => {
    const api = await apiClient(a);
    try {
      return (await api.call('vm.get', { vm: VM })).id;
    } finally {
      api.close();
    }
  })();
  // The guest counts before the move.
  await expect.poll(async () => /VIRIDIAN-TICK [2-9]/.test(await serialLog(a, vmId)), { timeout: 120_000 }).toBe(true);

  // Connect to Server…
  await page.getByRole('button', { name: 'Connect to Server…' }).first().click();
  const dlg = page.getByTestId('connect-server-dialog');
  await dlg.getByRole('textbox', { name: /Server address/ }).fill(`127.0.0.1:${b.port}`);
  await dlg.getByLabel(/Access token/).fill('wrong-token-wrong-token-wrong-token-wrong00');
  await dlg.getByRole('button', { name: 'OK' }).click();
  await expect(dlg.getByTestId('dialog-error')).toContainText(/refused the token/);
  await shot(page, '01-connect-refused');
  await dlg.getByLabel(/Access token/).fill(b.token);
  await shot(page, '02-connect-dialog');
  await dlg.getByRole('button', { name: 'OK' }).click();
  await expect(dlg).toBeHidden();
  const treeB = page.getByTestId('tree-remote-host');
  await expect(treeB).toHaveAttribute('data-connection', 'connected');
  await expect(page.getByTestId('remote-host-pane')).toBeVisible();
  await expect(page.getByTestId('remote-vm-table')).toBeVisible();
  await shot(page, '03-host-b-empty');

  // Back to this host: right-click the VM → Migrate…
  await page.getByTestId('tree-host').click();
  await row.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Migrate…' }).click();
  const wiz = page.getByTestId('migrate-wizard');
  await expect(wiz).toBeVisible();
  await wiz.getByRole('radio', { name: new RegExp(`127\\.0\\.0\\.1:${b.port}`) }).check();
  await expect(wiz.getByTestId('fit-check')).toHaveAttribute('data-ok', 'true');
  await shot(page, '04-wizard-target-fit');
  await wiz.getByRole('button', { name: 'Next' }).click();
  // Copying storage: the kernel-booted VM has no disks, so the check passes either way; keep shared.
  await shot(page, '05-wizard-storage');
  await wiz.getByRole('button', { name: 'Next' }).click();
  await wiz.getByRole('radio', { name: /Quick Migration/ }).check();
  await shot(page, '06-wizard-type');
  await wiz.getByRole('button', { name: 'Next' }).click();
  await expect(wiz.getByTestId('migrate-summary')).toContainText(`127.0.0.1:${b.port}`);
  await expect(wiz.getByText(`viridian vm migrate '${VM}' --to 127.0.0.1:${b.port} --quick`)).toBeVisible();
  await shot(page, '07-wizard-summary');
  await wiz.getByRole('button', { name: 'Finish' }).click();
  await expect(wiz.getByTestId('migration-progress')).toBeVisible();
  await expect(wiz.getByTestId('migration-result')).toBeVisible({ timeout: 120_000 });
  await expect(wiz.getByTestId('migration-downtime')).toHaveText(/^\d[\d,.]* (ms|s)$/);
  await expect(wiz.getByTestId('migration-bytes')).toHaveText(/\d+(\.\d+)? (MiB|KiB)/);
  await expect(wiz.getByTestId('migration-phase')).toHaveCount(4);
  for (const p of await wiz.getByTestId('migration-phase').all()) await expect(p).toHaveAttribute('data-status', 'done');
  await shot(page, '08-wizard-result');
  await wiz.getByRole('button', { name: 'Close' }).click();

  // The VM left this host and runs under B, still counting (no reboot).
  await expect(row).toHaveCount(0);
  await treeB.click();
  const remoteRow = page.getByTestId('remote-vm-row').filter({ hasText: VM });
  await expect(remoteRow).toHaveAttribute('data-state', 'Running');
  const bLog = () => readFile(join(bDir, 'vms', vmId, 'serial.log'), 'utf8').catch(() => '');
  await expect.poll(async () => (await bLog()).match(/VIRIDIAN-TICK \d+/g)?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
  expect(await bLog()).not.toMatch(/VIRIDIAN-GUEST-READY/);
  await shot(page, '09-host-b-running');

  // The job's result, as the API reports it.
  const api = await apiClient(a);
  try {
    const job = (await api.call('job.list', {})).find((j) => j.kind === 'migration');
    const r = job?.result as MigrationResult | undefined;
    expect(r?.finalState).toBe('Running');
    expect(r?.downtimeMs).toBeGreaterThan(0);
  } finally {
    api.close();
  }

  // B goes away: shown disconnected, with its last known VMs; it comes back at the same address and reconnects by itself.
  await stopB(b);
  await expect(treeB).toHaveAttribute('data-connection', 'disconnected', { timeout: 30_000 });
  await expect(page.getByTestId('remote-host-status')).toContainText(/Disconnected from/);
  await expect(remoteRow).toBeVisible();
  await shot(page, '10-host-b-disconnected');
  b = await startB(bDir, b.port);
  await expect(treeB).toHaveAttribute('data-connection', 'connected', { timeout: 60_000 });
  await expect(remoteRow).toHaveAttribute('data-state', 'Running');
  await shot(page, '11-host-b-reconnected');

  // And back, live: B drives the move (through this engine's relay) to this server.
  await remoteRow.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Migrate…' }).click();
  const back = page.getByTestId('migrate-wizard');
  await back.getByRole('radio', { name: /This server/ }).check();
  await expect(back.getByTestId('fit-check')).toHaveAttribute('data-ok', 'true');
  await back.getByRole('button', { name: 'Next' }).click();
  await back.getByRole('button', { name: 'Next' }).click();
  await back.getByRole('radio', { name: /Live migration/ }).check();
  await back.getByRole('button', { name: 'Next' }).click();
  await back.getByRole('button', { name: 'Finish' }).click();
  await expect(back.getByTestId('migration-result')).toBeVisible({ timeout: 120_000 });
  await expect(back.getByTestId('migration-downtime')).toContainText(/QEMU reports \d+ ms/);
  await expect(back.getByTestId('migration-phase')).toHaveCount(3);
  await shot(page, '12-live-back-result');
  await back.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('remote-vm-row')).toHaveCount(0);
  await page.getByTestId('tree-host').click();
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running');
  await shot(page, '13-back-home');

  // A VM on B, acted on through the relay.
  const api2 = await apiClient(a);
  try {
    await api2.call('hosts.call', { host: `127.0.0.1:${b.port}`, method: 'vm.create', params: { name: 'resident', memoryMiB: 64 } });
  } finally {
    api2.close();
  }
  await treeB.click();
  const resident = page.getByTestId('remote-vm-row').filter({ hasText: 'resident' });
  await expect(resident).toHaveAttribute('data-state', 'Off');
  await resident.click({ button: 'right' });
  await expect(page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Start' })).toBeVisible();
  await page.keyboard.press('Escape');
});
