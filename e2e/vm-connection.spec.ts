import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { EngineClient } from '../core/contract';
import { READY_RE } from './support/guest-markers';
import { apiClient, destroyHost, guestDir, serialLog, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// VM Connection in the browser console: a tab showing the guest's screen over
// noVNC (the test guest prints its markers on tty0 too), the VM's actions,
// reconnection across Save/Start, and the serial console.
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
let api: EngineClient;
const VM = 'e2e Connect 01';
let vmId = '';

test.beforeAll(async () => {
  host = await startHost();
  api = await apiClient(host);
  const g = guestDir();
  vmId = (await api.call('vm.create', { name: VM, memoryMiB: 128, kernel: { path: join(g, 'vmlinuz'), initrd: join(g, 'initrd.img'), append: 'console=tty0 console=ttyS0 quiet' } })).id;
  await api.call('vm.action', { vm: vmId, action: 'start' });
  await expect.poll(async () => READY_RE.test(await serialLog(host, vmId)), { timeout: 120_000 }).toBe(true);
});
test.afterAll(async () => {
  api?.close();
  if (host) await destroyHost(host);
});

const shot = screenshots('vm-connection');

/** Light pixels on the noVNC canvas: the guest's text (grey on black). */
async function textPixels(page: Page): Promise<number> {
  return page.getByTestId('vnc-screen').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0) return 0;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if ((d[i] ?? 0) + (d[i + 1] ?? 0) + (d[i + 2] ?? 0) > 300) n++;
    return n;
  });
}

test('Connect opens a VM Connection tab with the guest screen; it reconnects after Save and Start; serial console works', async ({ page, context }) => {
  await page.goto(host.consoleUrl);
  const row = page.getByTestId(`vm-row-${VM}`);
  await expect(row.getByTestId(`vm-state-${VM}`)).toHaveText('Running', { timeout: 60_000 });
  await row.click();
  // The live thumbnail in the details pane.
  await expect(page.getByTestId('vm-thumbnail').locator('img')).toBeVisible({ timeout: 30_000 });

  const popup = context.waitForEvent('page');
  await row.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Connect…' }).click();
  const vmc = await popup;
  await expect(vmc).toHaveURL(new RegExp(`#/connect/${vmId}$`));
  await expect(vmc).not.toHaveURL(/token=/);
  const screen = vmc.getByTestId('vnc-screen');
  await expect(screen).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  await expect(vmc.getByTestId('vmc-status')).toContainText(/720 × 400 · Connected/);
  await expect(vmc.getByTestId('vmc-state')).toHaveText('Running');
  await expect.poll(() => textPixels(vmc), { timeout: 30_000 }).toBeGreaterThan(2000);
  await expect(vmc).toHaveTitle(`${VM} on 127.0.0.1 - Virtual Machine Connection`);
  await shot(vmc, '01-screen');

  // Save: the screen goes, the page says why and offers Start; Start brings the picture back.
  await vmc.getByTestId('vmc-save').click();
  await expect(vmc.getByTestId('vmc-state')).toHaveText('Saved', { timeout: 120_000 });
  await expect(vmc.getByRole('status')).toContainText('The virtual machine is saved');
  await shot(vmc, '02-saved');
  await vmc.getByRole('status').getByRole('button', { name: 'Start', exact: true }).click();
  await expect(vmc.getByTestId('vmc-state')).toHaveText('Running', { timeout: 120_000 });
  await expect(screen).toHaveAttribute('data-status', 'connected', { timeout: 60_000 });
  await expect.poll(() => textPixels(vmc), { timeout: 30_000 }).toBeGreaterThan(2000);

  // Pause and Resume keep the session.
  await vmc.getByTestId('vmc-pause').click();
  await expect(vmc.getByTestId('vmc-state')).toHaveText('Paused', { timeout: 60_000 });
  await expect(screen).toHaveAttribute('data-status', 'connected');
  await vmc.getByTestId('vmc-resume').click();
  await expect(vmc.getByTestId('vmc-state')).toHaveText('Running', { timeout: 60_000 });
  await shot(vmc, '03-resumed');

  // View ▸ Serial console: typing reaches the guest's shell on COM1.
  await vmc.getByRole('button', { name: 'View', exact: true }).click();
  await vmc.getByRole('menuitemcheckbox', { name: 'Serial console (COM1)' }).click();
  const serial = vmc.getByTestId('serial-console');
  await expect(serial).toBeVisible();
  await expect(vmc.getByTestId('vmc-status')).toContainText('Serial console (COM1)');
  await serial.click();
  await expect.poll(async () => (await serial.textContent()) ?? '', { timeout: 30_000 }).not.toContain('Connecting to COM1');
  await vmc.keyboard.type('echo VMC-$((6*7))');
  await vmc.keyboard.press('Enter');
  await expect(serial).toContainText('VMC-42', { timeout: 30_000 });
  await shot(vmc, '04-serial');
});
