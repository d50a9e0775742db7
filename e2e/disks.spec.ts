import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { apiClient, copyGuestDisk, destroyHost, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// New Virtual Hard Disk, Edit Disk, Inspect Disk and live conversion, against a real host and guest.
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  if (host) await destroyHost(host);
});

const shot = screenshots('disks');

async function api<T>(fn: (c: Awaited<ReturnType<typeof apiClient>>) => Promise<T>): Promise<T> {
  const c = await apiClient(host);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

async function hostAction(page: Page, name: string): Promise<void> {
  await page.getByTestId('actions-host-section').getByRole('button', { name, exact: true }).click();
}

test('New Virtual Hard Disk, Edit Disk (expand, convert) and Inspect Disk with Reconnect', async ({ page }) => {
  await page.goto(host.consoleUrl);
  await hostAction(page, 'New');
  await page.getByRole('menuitem', { name: 'Hard Disk…' }).click();
  const wiz = page.getByTestId('wizard-new-disk');
  await wiz.getByRole('button', { name: 'Choose Disk Format' }).click();
  await expect(wiz.getByRole('table', { name: 'What each format allows' })).toContainText('2040 GB');
  await wiz.getByRole('radio', { name: /^VHD — / }).check();
  await wiz.getByRole('button', { name: 'Next' }).click();
  // Differencing is qcow2-only here, and the page says why.
  await expect(wiz.getByRole('radio', { name: /Differencing/ })).toBeDisabled();
  await wiz.getByRole('radio', { name: /Dynamically expanding/ }).check();
  await wiz.getByRole('button', { name: 'Next' }).click();
  await wiz.getByRole('textbox', { name: 'Name', exact: true }).fill('data.vhd');
  await wiz.getByRole('textbox', { name: 'Location', exact: true }).fill(host.dataDir);
  await expect(wiz.getByTestId('free-space')).toContainText(/free in/);
  await wiz.getByRole('button', { name: 'Next' }).click();
  // VHD holds at most 2040 GB: said at once.
  await wiz.getByRole('textbox', { name: 'Size', exact: true }).fill('3 TB');
  await expect(wiz.getByText(/at most 2040 GB/)).toBeVisible();
  await wiz.getByRole('textbox', { name: 'Size', exact: true }).fill('1 GB');
  await wiz.getByRole('button', { name: 'Next' }).click();
  await expect(wiz).toContainText(`viridian disk create ${join(host.dataDir, 'data.vhd')} --size 1073741824 --format vhd --type dynamic`);
  await shot(page, '01-new-disk-summary');
  await wiz.getByRole('button', { name: 'Finish' }).click();
  await expect(wiz.getByTestId('job-progress')).toHaveAttribute('data-state', 'completed');
  await expect(wiz.getByTestId('job-cli')).toHaveText(`viridian disk create ${join(host.dataDir, 'data.vhd')} --size 1073741824 --format vhd --type dynamic`);
  await shot(page, '02-new-disk-done');
  await wiz.getByRole('button', { name: 'Close' }).click();
  const created = await api((c) => c.call('disk.inspect', { path: join(host.dataDir, 'data.vhd') }));
  expect(created).toMatchObject({ format: 'vpc', type: 'dynamic', virtualSize: 1024 ** 3 });

  // Edit Disk ▸ Expand (VHD goes through qcow2 and back).
  await hostAction(page, 'Edit Disk…');
  const edit = page.getByTestId('wizard-edit-disk');
  await edit.getByRole('textbox', { name: 'Path', exact: true }).fill(join(host.dataDir, 'data.vhd'));
  await expect(edit.getByTestId('edit-disk-facts')).toContainText('VHD, dynamically expanding, 1.0 GiB');
  await edit.getByRole('button', { name: 'Next' }).click();
  // Merge and Reconnect need a differencing disk; the reason is shown beside them.
  await expect(edit.getByRole('radio', { name: /^Merge/ })).toBeDisabled();
  await expect(edit.getByText('Only a differencing disk can be merged.')).toBeVisible();
  await edit.getByRole('radio', { name: /^Expand/ }).check();
  await edit.getByRole('button', { name: 'Next' }).click();
  await edit.getByRole('textbox', { name: 'New size', exact: true }).fill('2 GB');
  await edit.getByRole('button', { name: 'Next' }).click();
  await shot(page, '03-edit-expand-summary');
  await edit.getByRole('button', { name: 'Finish' }).click();
  await expect(edit.getByTestId('job-progress')).toHaveAttribute('data-state', 'completed');
  await expect(edit.getByTestId('job-cli')).toHaveText(`viridian disk expand ${join(host.dataDir, 'data.vhd')} --size 2147483648`);
  await edit.getByRole('button', { name: 'Close' }).click();
  expect(await api((c) => c.call('disk.inspect', { path: join(host.dataDir, 'data.vhd') }))).toMatchObject({ format: 'vpc', type: 'dynamic', virtualSize: 2 * 1024 ** 3 });

  // Edit Disk ▸ Convert to a fixed VHDX.
  await hostAction(page, 'Edit Disk…');
  await edit.getByRole('textbox', { name: 'Path', exact: true }).fill(join(host.dataDir, 'data.vhd'));
  await expect(edit.getByTestId('edit-disk-facts')).toBeVisible();
  await edit.getByRole('button', { name: 'Next' }).click();
  await edit.getByRole('radio', { name: /^Convert/ }).check();
  await edit.getByRole('button', { name: 'Next' }).click();
  await edit.getByRole('radio', { name: 'VHDX' }).check();
  await edit.getByRole('radio', { name: 'Dynamically expanding' }).check();
  await edit.getByRole('textbox', { name: 'New virtual hard disk', exact: true }).fill(join(host.dataDir, 'data-converted.vhdx'));
  await edit.getByRole('button', { name: 'Next' }).click();
  await edit.getByRole('button', { name: 'Finish' }).click();
  await expect(edit.getByTestId('job-progress')).toHaveAttribute('data-state', 'completed');
  await edit.getByRole('button', { name: 'Close' }).click();
  expect(await api((c) => c.call('disk.inspect', { path: join(host.dataDir, 'data-converted.vhdx') }))).toMatchObject({ format: 'vhdx', type: 'dynamic' });

  // A differencing disk whose parent moved: Inspect shows it missing; Reconnect fixes it.
  const parent = join(host.dataDir, 'base.vhd');
  await api(async (c) => {
    const j1 = await c.call('disk.create', { path: parent, sizeBytes: 64 * 1024 * 1024, format: 'vhd', type: 'dynamic' });
    await c.call('job.wait', { id: j1.id, timeoutMs: 60_000 });
    const j2 = await c.call('disk.create', { path: join(host.dataDir, 'child.qcow2'), format: 'qcow2', type: 'differencing', parent });
    await c.call('job.wait', { id: j2.id, timeoutMs: 60_000 });
  });
  await mkdir(join(host.dataDir, 'moved'));
  await rename(parent, join(host.dataDir, 'moved', 'base.vhd'));
  await hostAction(page, 'Inspect Disk…');
  const insp = page.getByTestId('inspect-disk-dialog');
  await insp.getByRole('textbox', { name: 'Virtual hard disk', exact: true }).fill(join(host.dataDir, 'child.qcow2'));
  await insp.getByRole('button', { name: 'Inspect' }).click();
  await expect(insp.getByTestId('disk-chain')).toContainText(`${parent} (VHD) — missing`);
  await expect(insp.getByText(/is missing, so this disk cannot be used/)).toBeVisible();
  await shot(page, '04-inspect-broken');
  await insp.getByRole('button', { name: 'Reconnect…' }).click();
  await edit.getByRole('textbox', { name: 'Parent disk', exact: true }).fill(join(host.dataDir, 'moved', 'base.vhd'));
  await edit.getByRole('button', { name: 'Next' }).click();
  await edit.getByRole('button', { name: 'Finish' }).click();
  await expect(edit.getByTestId('job-progress')).toHaveAttribute('data-state', 'completed');
  await edit.getByRole('button', { name: 'Close' }).click();
  expect(await api((c) => c.call('disk.inspect', { path: join(host.dataDir, 'child.qcow2') }))).toMatchObject({ intact: true, parent: join(host.dataDir, 'moved', 'base.vhd') });
});

test('a running VM on a dynamic VHD is converted to qcow2 from the details pane, then saved; SCSI disks are hot-added in Settings', async ({ page }) => {
  const vhd = await copyGuestDisk(host, 'disk-dynamic.vhd', 'boot.vhd');
  const extra = join(host.dataDir, 'extra.qcow2');
  await api(async (c) => {
    await c.call('vm.create', { name: 'vhd01', memoryMiB: 128, disk: { kind: 'existing', path: vhd } });
    const j = await c.call('disk.create', { path: extra, sizeBytes: 32 * 1024 * 1024, format: 'qcow2' });
    await c.call('job.wait', { id: j.id, timeoutMs: 60_000 });
    const s = await c.call('vm.action', { vm: 'vhd01', action: 'start' });
    await c.call('job.wait', { id: s.id, timeoutMs: 120_000 });
  });
  await page.goto(host.consoleUrl);
  await page.getByTestId('vm-row-vhd01').click();
  const details = page.getByTestId('details-pane');
  await expect(details).toContainText('Save, snapshot and migration are unavailable');
  await expect(page.getByTestId('devices-summary')).toContainText('Hard Drive (IDE 0:0)');
  await shot(page, '05-running-on-vhd');
  await details.getByRole('button', { name: 'Convert to qcow2 now (no downtime)' }).click();
  // The job shows in the Status column while the old disk's data streams into the overlay.
  await expect
    .poll(async () => (await api((c) => c.call('job.list', {}))).find((j) => j.kind === 'vm.disk.convertLive')?.state, { timeout: 120_000 })
    .toBe('completed');
  await expect(details).not.toContainText('Save, snapshot and migration are unavailable');
  await expect(page.getByTestId('vm-state-vhd01')).toHaveText('Running');
  const vm = await api((c) => c.call('vm.get', { vm: 'vhd01' }));
  expect(vm.config.ide[0][0]).toMatchObject({ path: join(host.dataDir, 'boot.qcow2'), format: 'qcow2', type: 'dynamic' });
  await shot(page, '06-converted');

  // Settings ▸ SCSI Controller while running: the disk is plugged in at OK.
  await page.getByTestId('vm-row-vhd01').click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Settings…', exact: true }).click();
  const settings = page.getByTestId('settings-dialog');
  await settings.getByTestId('settings-nav-scsi').click();
  await expect(settings.getByText('Synthetic', { exact: true })).toBeVisible();
  await settings.getByRole('button', { name: 'Add Hard Drive' }).click();
  await settings.getByRole('textbox', { name: 'LUN 0', exact: true }).fill(extra);
  await shot(page, '07-scsi-hot-add');
  await settings.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(settings).toBeHidden();
  const after = await api((c) => c.call('vm.get', { vm: 'vhd01' }));
  expect(after.config.scsi).toMatchObject([{ lun: 0, path: extra, virtualSize: 32 * 1024 * 1024 }]);
  expect(after.status.state).toBe('Running');

  // Save is available now and works.
  await page.getByTestId('vm-row-vhd01').click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('vm-state-vhd01')).toHaveText('Saved', { timeout: 120_000 });
  await shot(page, '08-saved');
});
