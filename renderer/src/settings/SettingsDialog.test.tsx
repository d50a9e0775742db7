// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { VmState } from '../../../core/contract';
import { makeConfig, makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { LOCKED_REASON } from './settings-model';
import { SettingsDialog } from './SettingsDialog';

beforeAll(() => fakeLayout());
afterEach(cleanup);

async function open(state: VmState) {
  const vm = makeVm('web01', state);
  seed([vm, makeVm('db01')]);
  const config = makeConfig(vm);
  const f = fakeEngine({
    'vm.get': () => ({ ...vm, config, folder: '/data/vms/web01', logTail: [] }),
    'vm.update': (p) => {
      const changes = (p as { changes: object }).changes;
      return { ...vm, config: { ...config, ...changes }, folder: '/data/vms/web01', logTail: [] };
    },
    'disk.inspect': (p) => ({ path: (p as { path: string }).path, format: 'vpc', type: 'fixed', virtualSize: 2 ** 30, actualSize: 2 ** 30, parent: null, chain: [], intact: true }),
  });
  renderWithEngine(<SettingsDialog vmId={vm.id} />, f.engine);
  const dlg = within(screen.getByTestId('settings-dialog'));
  await dlg.findByRole('navigation', { name: 'Hardware and management settings' });
  return { ...f, dlg, user: userEvent.setup(), vm };
}

describe('Settings dialog', () => {
  it('lists hardware and management like Hyper-V', async () => {
    const { dlg } = await open('Off');
    const titles = dlg.getAllByRole('button').map((b) => b.textContent ?? '');
    for (const t of ['BIOS', 'Memory', 'Processor', 'IDE Controller 0', 'IDE Controller 1', 'SCSI Controller', 'Network Adapter', 'COM 1', 'COM 2', 'Diskette Drive', 'Name', 'Integration Services', 'Automatic Start Action', 'Automatic Stop Action']) {
      expect(titles.some((x) => x.startsWith(t))).toBe(true);
    }
  });

  it('while the VM runs, hardware is disabled with the reason; Name stays editable', async () => {
    const { dlg, user } = await open('Running');
    expect(dlg.getByTestId('settings-locked').textContent).toBe(LOCKED_REASON);
    expect(dlg.getByRole('spinbutton', { name: /Startup RAM/ }).hasAttribute('disabled')).toBe(true);
    await user.click(dlg.getByTestId('settings-nav-name'));
    expect(dlg.queryByTestId('settings-locked')).toBeNull();
    expect(dlg.getByRole('textbox', { name: 'Name' }).hasAttribute('disabled')).toBe(false);
  });

  it('Apply sends only the changed keys; OK closes', async () => {
    const { dlg, user, call, vm } = await open('Off');
    const apply = dlg.getByRole('button', { name: 'Apply' });
    expect(apply.hasAttribute('disabled')).toBe(true);
    const mem = dlg.getByRole('spinbutton', { name: /Startup RAM/ });
    await user.clear(mem);
    await user.type(mem, '1024{Enter}');
    await user.click(dlg.getByTestId('settings-nav-name'));
    await user.type(dlg.getByRole('textbox', { name: 'Notes' }), 'hello');
    await user.click(apply);
    await waitFor(() => expect(call).toHaveBeenCalledWith('vm.update', { vm: vm.id, changes: { memoryMiB: 1024, notes: 'hello' } }));
  });

  it('refuses an invalid name and shows why', async () => {
    const { dlg, user } = await open('Off');
    await user.click(dlg.getByTestId('settings-nav-name'));
    const name = dlg.getByRole('textbox', { name: 'Name' });
    await user.clear(name);
    await user.type(name, 'db01');
    expect(dlg.getByText(/already exists/)).toBeTruthy();
    expect(dlg.getByRole('button', { name: 'OK' }).hasAttribute('disabled')).toBe(true);
  });

  it('reads a new disk’s format and size with disk.inspect before applying', async () => {
    const { dlg, user, call, vm } = await open('Running');
    await user.click(dlg.getByTestId('settings-nav-scsi'));
    await user.click(dlg.getByRole('button', { name: 'Add Hard Drive' }));
    await user.type(dlg.getByRole('textbox', { name: 'LUN 0' }), '/data/extra.vhd');
    await user.click(dlg.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(call).toHaveBeenCalledWith('disk.inspect', { path: '/data/extra.vhd' }));
    await waitFor(() =>
      expect(call).toHaveBeenCalledWith('vm.update', {
        vm: vm.id,
        changes: { scsi: [{ kind: 'disk', path: '/data/extra.vhd', format: 'vpc', type: 'fixed', virtualSize: 2 ** 30, readOnly: false, lun: 0 }] },
      }),
    );
  });
});
