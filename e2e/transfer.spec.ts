import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { EngineClient } from '../core/contract';
import { DISK_READY_RE } from './support/guest-markers';
import { apiClient, copyGuestDisk, destroyHost, guestDir, serialLog, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// Export and Import from the console against a real host: export an Off VM
// (disk outside its folder, one snapshot) from the right-click menu, read the
// report, import the export back as a copy from the host's actions, and start
// the copy on its own copied disk.
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
let api: EngineClient;
const VM = 'e2e Xfer 01';
const COPY = `${VM} (2)`;
let vmId = '';
let exportsDir = '';

test.beforeAll(async () => {
  host = await startHost();
  api = await apiClient(host);
  exportsDir = join(host.dataDir, 'exports');
  await mkdir(exportsDir);
  const g = guestDir();
  const disk = await copyGuestDisk(host, 'disk.qcow2', 'xfer.qcow2');
  const vm = await api.call('vm.create', {
    name: VM,
    memoryMiB: 128,
    bootFrom: 'net',
    disk: { kind: 'existing', path: disk },
    kernel: { path: join(g, 'vmlinuz'), initrd: join(g, 'initrd.img'), append: 'console=tty0 console=ttyS0 quiet viridian.disk=/dev/sda' },
  });
  vmId = vm.id;
  const snap = await api.call('snapshot.create', { vm: vmId, name: 'before export' });
  expect((await api.call('job.wait', { id: snap.id, timeoutMs: 60_000 })).state).toBe('completed');
});
test.afterAll(async () => {
  api?.close();
  if (host) await destroyHost(host);
});

const shot = screenshots('transfer');

test('export an Off VM from the right-click menu, import it back as a copy from the host actions, and the copy starts', async ({ page }) => {
  await page.goto(host.consoleUrl);
  const row = page.getByTestId(`vm-row-${VM}`);
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Off', { timeout: 60_000 });

  // Right-click ▸ Export…: the dialog says what is copied and where.
  await row.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Export…', exact: true }).click();
  const exp = page.getByTestId('export-dialog');
  await expect(exp).toContainText(`The settings, disks and snapshots of “${VM}” are copied to a new folder named “${VM}” inside the folder you give.`);
  const folder = exp.getByLabel('Export to folder');

  // A folder that does not exist is refused, with the reason, and nothing starts.
  await folder.fill(join(host.dataDir, 'nowhere'));
  await exp.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(exp).toContainText(`The folder ${join(host.dataDir, 'nowhere')} does not exist.`);
  await expect(exp.getByRole('button', { name: 'Export', exact: true })).toBeEnabled();
  await shot(page, '01-export-folder-missing');

  await folder.fill(exportsDir);
  await exp.getByRole('button', { name: 'Export', exact: true }).click();
  const exportReport = exp.getByTestId('transfer-report');
  await expect(exportReport).toBeVisible({ timeout: 120_000 });
  const exported = join(exportsDir, VM);
  await expect(exportReport).toContainText(`Exported to ${exported} (`);
  await expect(exportReport).toContainText(`The disk ${join(host.dataDir, 'xfer.qcow2')} was copied to ${join('disks', 'xfer.qcow2')}.`);
  await expect(exportReport).toContainText('1 snapshot was exported.');
  await expect(exportReport).toContainText(`${join(guestDir(), 'vmlinuz')} is not part of the export`);
  await expect(exportReport).not.toContainText(/Error:|Warning:/);
  await expect(exp.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
  await shot(page, '02-export-report');
  await exp.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(exp).toBeHidden();
  expect(existsSync(join(exported, 'viridian-export.json'))).toBe(true);
  // Exporting leaves the VM as it was.
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Off');

  // Host actions ▸ Import Virtual Machine…, as a copy (the default).
  await page.getByTestId('actions-host-section').getByRole('button', { name: 'Import Virtual Machine…' }).click();
  const imp = page.getByTestId('import-dialog');
  await expect(imp.getByRole('radio', { name: /^Copy the virtual machine/ })).toBeChecked();
  await imp.getByLabel('Folder or .vmc file').fill(exported);
  await shot(page, '03-import-dialog');
  await imp.getByRole('button', { name: 'Import', exact: true }).click();
  const importReport = imp.getByTestId('transfer-report');
  await expect(importReport).toBeVisible({ timeout: 120_000 });
  await expect(importReport).toContainText(`A VM named "${VM}" already exists; the imported one is named "${COPY}".`);
  await expect(importReport).toContainText(new RegExp(`Imported "${COPY.replace(/[()]/g, '\\$&')}" \\([0-9a-f-]{36}\\) as a copy\\.`));
  await expect(importReport).not.toContainText('Error:');
  await shot(page, '04-import-report');
  await imp.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(imp).toBeHidden();

  // Both VMs are listed; through the API they have different ids, and the copy runs on its own disk.
  const copyRow = page.getByTestId(`vm-row-${COPY}`);
  await expect(copyRow.getByTestId(`vm-state-${COPY}`)).toHaveText('Off');
  const vms = await api.call('vm.list', {});
  const original = vms.find((v) => v.name === VM);
  const copy = vms.find((v) => v.name === COPY);
  expect(original?.id).toBe(vmId);
  expect(copy).toBeDefined();
  const copyId = copy?.id ?? '';
  expect(copyId).not.toBe(vmId);
  const detail = await api.call('vm.get', { vm: copyId });
  const copyDisk = detail.config.ide[0]?.[0];
  expect(copyDisk?.kind === 'disk' && copyDisk.path.startsWith(detail.folder)).toBe(true);
  expect((await api.call('snapshot.list', { vm: copyId })).snapshots.map((s) => s.name)).toEqual(['before export']);

  const start = await api.call('vm.action', { vm: copyId, action: 'start' });
  expect((await api.call('job.wait', { id: start.id, timeoutMs: 120_000 })).state).toBe('completed');
  await expect(copyRow.getByTestId(`vm-state-${COPY}`)).toHaveText('Running', { timeout: 60_000 });
  await expect.poll(async () => DISK_READY_RE.exec(await serialLog(host, copyId))?.[1] ?? null, { timeout: 120_000 }).toBe('/dev/sda');
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Off');
  await copyRow.click();
  await shot(page, '05-copy-running');
});
