import { expect, test } from '@playwright/test';
import { apiClient, destroyHost, startHost, type E2eHost } from './support/host';
import { screenshots } from './support/shots';

// Virtual Network Manager and the network adapter settings, against a real host.
// Adapters store the network's name (matched by name on another host, as Hyper-V does).
test.describe.configure({ mode: 'serial' });

let host: E2eHost;
test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  if (host) await destroyHost(host);
});

const shot = screenshots('networks');

async function networks() {
  const api = await apiClient(host);
  try {
    return await api.call('network.list', {});
  } finally {
    api.close();
  }
}

test('Virtual Network Manager creates, renames and protects networks; Settings connects an adapter to one', async ({ page }) => {
  const api = await apiClient(host);
  await api.call('vm.create', { name: 'net01', memoryMiB: 128, network: [{ kind: 'synthetic', network: null }] });
  api.close();

  await page.goto(host.consoleUrl);
  await page.getByTestId('actions-host-section').getByRole('button', { name: 'Virtual Network Manager…' }).click();
  const vnm = page.getByTestId('network-manager');
  await expect(vnm).toBeVisible();
  // A fresh host has the Default Switch (External, NAT) and says why a bridge is or is not possible.
  await expect(vnm.getByTestId('vnm-nav-Default Switch')).toContainText('External, NAT');
  await expect(vnm.getByText(/bridge/i).first()).toBeVisible();
  await shot(page, '01-default-switch');

  // New ▸ Private ▸ Add, name it, OK.
  await vnm.getByTestId('vnm-nav-new').click();
  await vnm.getByRole('radio', { name: /Private/ }).check();
  await vnm.getByRole('button', { name: 'Add', exact: true }).click();
  await vnm.getByLabel('Name').fill('Lab Net');
  await expect(vnm.getByTestId('vnm-nav-Lab Net')).toContainText('Private (new)');
  await shot(page, '02-new-private');
  await vnm.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(vnm.getByTestId('vnm-nav-Lab Net')).toContainText(/^Lab NetPrivate$/);
  let list = await networks();
  const lab = list.networks.find((n) => n.name === 'Lab Net');
  expect(lab?.kind).toBe('private');
  await expect(vnm.getByText(/UDP multicast 239\./)).toBeVisible();

  // A duplicate name is refused before anything is sent.
  await vnm.getByTestId('vnm-nav-new').click();
  await vnm.getByRole('button', { name: 'Add', exact: true }).click();
  await vnm.getByLabel('Name').fill('lab net');
  await expect(vnm.getByText('Another virtual network has this name.')).toBeVisible();
  await expect(vnm.getByRole('button', { name: 'OK', exact: true })).toBeDisabled();
  await vnm.getByRole('button', { name: 'Remove', exact: true }).click();

  // MAC address range.
  await vnm.getByTestId('vnm-nav-pool').click();
  await vnm.getByLabel('Minimum').fill('52:54:00:ee:00:00');
  await vnm.getByLabel('Maximum').fill('52:54:00:ee:0f:ff');
  await shot(page, '03-mac-range');
  await vnm.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(vnm).toBeHidden();
  list = await networks();
  expect(list.macPool).toMatchObject({ first: '52:54:00:ee:00:00', last: '52:54:00:ee:0f:ff', size: 4096 });

  // Settings ▸ Network Adapter: the picker lists the host's networks; the adapter stores the network's id.
  await page.getByTestId('vm-row-net01').click({ button: 'right' });
  await page.getByTestId('vm-context-menu').getByRole('menuitem', { name: 'Settings…', exact: true }).click();
  const settings = page.getByTestId('settings-dialog');
  await settings.getByTestId('settings-nav-nic').click();
  await expect(settings.getByText('Synthetic', { exact: true })).toBeVisible();
  await settings.getByTestId('network-picker').click();
  await page.getByRole('option', { name: /Lab Net/ }).click();
  await settings.getByRole('checkbox', { name: 'Enable virtual LAN identification' }).check();
  await settings.getByRole('spinbutton', { name: 'VLAN ID' }).fill('20');
  await shot(page, '04-settings-adapter');
  await settings.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(settings).toBeHidden();
  const a2 = await apiClient(host);
  const vm = await a2.call('vm.get', { vm: 'net01' });
  a2.close();
  expect(vm.config.network[0]).toMatchObject({ network: 'Lab Net', vlanId: 20 });
  // The dynamic MAC comes from the host's pool.
  expect(vm.config.network[0]?.mac.startsWith('52:54:00:')).toBe(true);

  // A network with adapters cannot be removed; rename keeps the adapter connected.
  await page.getByTestId('actions-host-section').getByRole('button', { name: 'Virtual Network Manager…' }).click();
  await vnm.getByTestId('vnm-nav-Lab Net').click();
  await expect(vnm.getByText(/net01 — Network Adapter .*VLAN 20/)).toBeVisible();
  await expect(vnm.getByRole('button', { name: 'Remove', exact: true })).toBeDisabled();
  await vnm.getByLabel('Name').fill('Lab Net 2');
  await shot(page, '05-in-use');
  await vnm.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(vnm).toBeHidden();
  list = await networks();
  expect(list.networks.find((n) => n.id === lab?.id)).toMatchObject({ name: 'Lab Net 2', adapters: [{ vmName: 'net01', vlanId: 20 }] });
  // The adapter follows the rename.
  const a3 = await apiClient(host);
  expect((await a3.call('vm.get', { vm: 'net01' })).config.network[0]?.network).toBe('Lab Net 2');
  a3.close();

  // The Settings hardware list shows the network's name, and the details pane the device kinds.
  await page.getByTestId('vm-row-net01').click();
  const details = page.getByTestId('devices-summary');
  await expect(details).toContainText('Network Adapter');
  await expect(details).toContainText('IDE Controller 0');
  await shot(page, '06-details-devices');
});
