import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { EngineClient } from '../core/contract';
import { READY_RE } from './support/guest-markers';
import { apiClient, destroyHost, guestDir, serialLog, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// Snapshots from the console against a real host and the real test guest:
// take one from the right-click menu, see it in the tree under "Now", apply it,
// and watch the guest continue from the moment of the snapshot.
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
let api: EngineClient;
const VM = 'e2e Snap 01';
let vmId = '';

test.beforeAll(async () => {
  host = await startHost();
  api = await apiClient(host);
  const g = guestDir();
  const vm = await api.call('vm.create', {
    name: VM,
    memoryMiB: 128,
    kernel: { path: join(g, 'vmlinuz'), initrd: join(g, 'initrd.img'), append: 'console=tty0 console=ttyS0 quiet' },
  });
  vmId = vm.id;
  await api.call('vm.action', { vm: vmId, action: 'start' });
  await expect.poll(async () => READY_RE.test(await serialLog(host, vmId)), { timeout: 120_000 }).toBe(true);
});
test.afterAll(async () => {
  api?.close();
  if (host) await destroyHost(host);
});

function ticks(text: string): number[] {
  return [...text.matchAll(/VIRIDIAN-TICK (\d+)/g)].map((m) => Number(m[1]));
}

const shot = screenshots('snapshots');

test('take a snapshot from the right-click menu, see it under Now, apply it, and the guest continues from there', async ({ page }) => {
  await page.goto(host.consoleUrl);
  const row = page.getByTestId(`vm-row-${VM}`);
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running', { timeout: 60_000 });
  await row.click();
  const pane = page.getByTestId('snapshots-pane');
  await expect(pane).toContainText('has no snapshots');

  // Right-click ▸ Snapshot: no dialog, the tree shows it with "Now" beneath.
  await expect.poll(async () => ticks(await serialLog(host, vmId)).length, { timeout: 60_000 }).toBeGreaterThan(2);
  const tickBeforeClick = Math.max(...ticks(await serialLog(host, vmId)));
  await row.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Snapshot', exact: true }).click();
  const snapRow = pane.getByTestId('snapshot-row');
  await expect(snapRow).toHaveCount(1, { timeout: 60_000 });
  const tickAtSnapshot = Math.max(...ticks(await serialLog(host, vmId)));
  await expect(snapRow).toContainText(`${VM} - (`);
  await expect(snapRow).toContainText('Running');
  const now = pane.getByTestId('snapshot-now');
  await expect(now).toBeVisible();
  // "Now" is indented under the snapshot.
  expect(Number(await now.getAttribute('aria-level'))).toBe(Number(await snapRow.getAttribute('aria-level')) + 1);
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running');
  await shot(page, '01-snapshot-taken');

  // Let the guest move on, then go back.
  await expect.poll(async () => Math.max(...ticks(await serialLog(host, vmId))), { timeout: 60_000 }).toBeGreaterThan(tickAtSnapshot + 4);
  const before = (await serialLog(host, vmId)).length;
  const lastBefore = Math.max(...ticks(await serialLog(host, vmId)));
  await snapRow.click({ button: 'right' });
  await page.getByTestId('snapshot-context-menu').getByRole('menuitem', { name: 'Apply…' }).click();
  const dialog = page.getByTestId('apply-snapshot-dialog');
  await expect(dialog).toContainText('You lose its current running state');
  await shot(page, '02-apply-confirm');
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running', { timeout: 120_000 });

  // The counter goes back to the snapshot's moment (not on from where it was, not from 1).
  const restored = async () => {
    // Ticks logged after `before` that are below the last one seen then come from the restored guest.
    const back = ticks((await serialLog(host, vmId)).slice(before)).find((t) => t < lastBefore);
    return back ?? null;
  };
  await expect.poll(restored, { timeout: 60_000 }).not.toBeNull();
  const first = (await restored()) ?? -1;
  // The snapshot was taken between the click and the row appearing.
  expect(first).toBeGreaterThanOrEqual(tickBeforeClick);
  expect(first).toBeLessThanOrEqual(tickAtSnapshot + 1);
  await expect(page.getByTestId('snapshot-now')).toBeVisible();
  await shot(page, '03-applied');

  // Delete it: merged live, the VM keeps running, the pane is empty again.
  await snapRow.click({ button: 'right' });
  await page.getByTestId('snapshot-context-menu').getByRole('menuitem', { name: 'Delete Snapshot…' }).click();
  await page.getByTestId('delete-snapshot-dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(pane).toContainText('has no snapshots', { timeout: 60_000 });
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running');
  await shot(page, '04-deleted');
});
