import { expect, test, type Page } from '@playwright/test';
import { MEM_RE } from './support/guest-markers';
import { apiClient, copyGuestDisk, destroyHost, serialLog, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// The console against the real engine (a real `viridian host`) and the real test guest.
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
let disk: string;
const VM = 'e2e Web 01';

test.beforeAll(async () => {
  host = await startHost();
  disk = await copyGuestDisk(host);
});
test.afterAll(async () => {
  if (host) await destroyHost(host);
});

const shot = screenshots('console');

function row(page: Page) {
  return page.getByTestId(`vm-row-${VM}`);
}

async function contextAction(page: Page, label: string): Promise<void> {
  await row(page).click({ button: 'right' });
  const menu = page.getByTestId('vm-context-menu');
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: label, exact: true }).click();
}

async function expectState(page: Page, state: string, timeout = 60_000): Promise<void> {
  await expect(row(page).getByTestId(`vm-state-${VM}`)).toHaveText(state, { timeout });
}

async function vmId(): Promise<string> {
  const api = await apiClient(host);
  try {
    return (await api.call('vm.get', { vm: VM })).id;
  } finally {
    api.close();
  }
}

test('a person creates, runs, saves, reconfigures and deletes a VM in the console', async ({ page }) => {
  await page.goto(host.consoleUrl);
  // The token leaves the address bar once the console has it.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByTestId('status-connection')).toContainText(/Connected/);
  await expect(page.getByTestId('status-accelerator')).toBeVisible();
  await shot(page, '01-console-empty');

  // New Virtual Machine wizard, page by page.
  await page.getByRole('button', { name: 'File', exact: true }).click();
  await page.getByRole('menuitem', { name: 'New', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Virtual Machine…' }).click();
  const wizard = page.getByTestId('wizard-new-vm');
  await expect(wizard).toBeVisible();
  await expect(wizard.getByRole('heading', { name: 'Before You Begin' })).toBeVisible();
  await shot(page, '02-wizard-begin');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Specify Name and Location' })).toBeVisible();
  const name = wizard.getByRole('textbox', { name: /^Name/ });
  await name.fill('bad/name');
  await expect(wizard.getByText(/cannot contain/)).toBeVisible();
  await expect(wizard.getByRole('button', { name: 'Next' })).toBeDisabled();
  await shot(page, '03-wizard-name-invalid');
  await name.fill(VM);
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Assign Memory' })).toBeVisible();
  const memory = wizard.getByRole('spinbutton', { name: /Memory/ }).or(wizard.getByRole('textbox', { name: /Memory/ })).first();
  await memory.fill('0');
  await memory.press('Tab');
  await expect(wizard.getByText(/at least 16/)).toBeVisible();
  await expect(wizard.getByRole('button', { name: 'Next' })).toBeDisabled();
  await memory.fill('128');
  await memory.press('Tab');
  await shot(page, '04-wizard-memory');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Configure Networking' })).toBeVisible();
  await shot(page, '05-wizard-network');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Connect Virtual Hard Disk' })).toBeVisible();
  await wizard.getByRole('radio', { name: 'Use an existing virtual hard disk' }).check();
  await wizard.getByRole('textbox', { name: /^Path/ }).fill(disk);
  await shot(page, '06-wizard-disk');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Installation Options' })).toBeVisible();
  await shot(page, '07-wizard-install');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await expect(wizard.getByRole('heading', { name: 'Completing the Wizard' })).toBeVisible();
  await expect(wizard.getByTestId('wizard-summary')).toContainText(VM);
  await shot(page, '08-wizard-summary');
  await wizard.getByRole('button', { name: 'Finish' }).click();
  await expect(wizard).toBeHidden();

  // It is in the list, Off.
  await expect(row(page)).toBeVisible();
  await expectState(page, 'Off');
  await shot(page, '09-list-off');

  // Start from the right-click menu; the state reaches Running live.
  await contextAction(page, 'Start');
  await expectState(page, 'Running');
  const id = await vmId();
  await expect.poll(async () => serialLog(host, id), { timeout: 120_000 }).toMatch(/VIRIDIAN-GUEST-READY/);
  await row(page).click();
  await expect(page.getByTestId('details-pane')).toContainText('Running');
  await shot(page, '10-running');
  await row(page).click({ button: 'right' });
  await shot(page, '11-context-menu-running');
  await page.keyboard.press('Escape');

  // Pause / Resume.
  await contextAction(page, 'Pause');
  await expectState(page, 'Paused');
  await shot(page, '12-paused');
  await contextAction(page, 'Resume');
  await expectState(page, 'Running');

  // Save, then Start again (restore).
  await contextAction(page, 'Save');
  await expectState(page, 'Saved');
  await shot(page, '13-saved');
  await contextAction(page, 'Start');
  await expectState(page, 'Running');

  // Turn Off asks first and says what is lost.
  await contextAction(page, 'Turn Off…');
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText(/lost/);
  await shot(page, '14-turn-off-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expectState(page, 'Running');
  await contextAction(page, 'Turn Off…');
  await page.getByTestId('confirm-dialog').getByRole('button', { name: /Turn Off/ }).click();
  await expectState(page, 'Off');

  // Settings: memory and notes.
  await contextAction(page, 'Settings…');
  const settings = page.getByTestId('settings-dialog');
  await expect(settings).toBeVisible();
  await settings.getByTestId('settings-nav-memory').click();
  await shot(page, '15-settings-memory');
  const ram = settings.getByRole('spinbutton', { name: /Startup RAM/ }).or(settings.getByRole('textbox', { name: /Startup RAM/ })).first();
  await ram.fill('192');
  await ram.press('Tab');
  await settings.getByTestId('settings-nav-name').click();
  await settings.getByRole('textbox', { name: /Notes/ }).fill('Changed in Settings by the e2e test');
  await shot(page, '16-settings-notes');
  await settings.getByRole('button', { name: 'OK' }).click();
  await expect(settings).toBeHidden();
  await row(page).click();
  await expect(page.getByTestId('details-pane')).toContainText('Changed in Settings by the e2e test');

  // An engine restart shows the same settings.
  await host.stop();
  await expect(page.getByTestId('status-connection')).not.toContainText(/^Connected$/, { timeout: 20_000 });
  host = await startHost(host.dataDir, host.token);
  await page.goto(host.consoleUrl);
  await expectState(page, 'Off');
  await row(page).click();
  await expect(page.getByTestId('details-pane')).toContainText('Changed in Settings by the e2e test');
  await expect(page.getByTestId('details-pane')).toContainText('192 MiB');
  await shot(page, '17-after-engine-restart');

  // The new memory size is what the guest reports on its next start.
  await contextAction(page, 'Start');
  await expectState(page, 'Running');
  const log = await expect
    .poll(async () => {
      const text = await serialLog(host, id);
      const mems = [...text.matchAll(new RegExp(MEM_RE.source, 'g'))];
      return mems.length ? Number(mems[mems.length - 1]?.[1]) : 0;
    }, { timeout: 120_000 })
    .toBeGreaterThan(150 * 1024);
  void log;
  const text = await serialLog(host, id);
  const mems = [...text.matchAll(new RegExp(MEM_RE.source, 'g'))].map((m) => Number(m[1]));
  // First boot saw < 128 MiB of MemTotal, the second < 192 MiB and more than 128.
  expect(mems[0]).toBeLessThan(128 * 1024);
  expect(mems[mems.length - 1]).toBeLessThan(192 * 1024);
  expect(mems[mems.length - 1]).toBeGreaterThan(128 * 1024);

  // Delete: turn off first (Delete is not offered while running), then confirm the file list.
  await contextAction(page, 'Turn Off…');
  await page.getByTestId('confirm-dialog').getByRole('button', { name: /Turn Off/ }).click();
  await expectState(page, 'Off');
  await contextAction(page, 'Delete…');
  const del = page.getByTestId('confirm-dialog').or(page.getByRole('dialog'));
  await expect(del.first()).toContainText(/vm\.json/);
  await shot(page, '18-delete-confirm');
  await del.first().getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(row(page)).toHaveCount(0);
  await shot(page, '19-deleted');
});

test('errors from the engine show the sentence and the fix, never a stack trace', async ({ page }) => {
  const api = await apiClient(host);
  await api.call('vm.create', { name: 'dyn', memoryMiB: 128, disk: { kind: 'existing', path: await copyGuestDisk(host, 'disk-dynamic.vhd', 'dyn.vhd') } });
  api.close();
  await page.goto(host.consoleUrl);
  const r = page.getByTestId('vm-row-dyn');
  await expect(r).toBeVisible();
  await r.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Start', exact: true }).click();
  await expect(r.getByTestId('vm-state-dyn')).toHaveText('Running', { timeout: 60_000 });
  await r.click();
  // Save is in the table for Running, but the dynamic VHD blocks it: the reason is shown.
  await r.click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Save', exact: true }).click();
  const err = page.getByTestId('error-bar').or(page.getByTestId('dialog-error'));
  await expect(err.first()).toContainText(/dynamically expanding VHD/);
  await expect(err.first()).toContainText(/Convert/);
  await expect(err.first()).not.toContainText(/at .*\.ts:\d+/);
  await shot(page, '20-error-with-hint');
});
