// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ViridianError } from '../../../../core/contract';
import { uiStore } from '../../state/ui-store';
import { makeConfig, makeVm } from '../../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../../test-support/render-console';
import { NewVmWizard } from './NewVmWizard';

beforeAll(() => fakeLayout());
beforeEach(() => localStorage.clear());
afterEach(cleanup);

function open(handlers: Parameters<typeof fakeEngine>[0] = {}) {
  seed([makeVm('web01')]);
  const created = makeVm('New Virtual Machine');
  const f = fakeEngine({ 'vm.create': () => ({ ...created, config: makeConfig(created), folder: '/data/vms/x', logTail: [] }), ...handlers });
  renderWithEngine(<NewVmWizard />, f.engine);
  const wiz = within(screen.getByTestId('wizard-new-vm'));
  return { ...f, wiz, user: userEvent.setup(), created };
}

describe('New Virtual Machine wizard', () => {
  it('has Hyper-V’s pages, and Finish works at once with defaults', async () => {
    const { wiz, user, call, created } = open();
    expect(within(wiz.getByRole('navigation', { name: 'Wizard steps' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Before You Begin',
      'Specify Name and Location',
      'Assign Memory',
      'Configure Networking',
      'Connect Virtual Hard Disk',
      'Installation Options',
      'Completing the Wizard',
    ]);
    await user.click(wiz.getByRole('button', { name: 'Finish' }));
    await waitFor(() => expect(call).toHaveBeenCalledTimes(1));
    expect(call.mock.calls[0]?.[0]).toBe('vm.create');
    expect(call.mock.calls[0]?.[1]).toMatchObject({
      name: 'New Virtual Machine',
      memoryMiB: 512,
      disk: { kind: 'new', sizeBytes: 127 * 1024 ** 3, format: 'qcow2', type: 'dynamic' },
      start: false,
    });
    await waitFor(() => expect(uiStore.getState().dialog).toBeNull());
    expect([...uiStore.getState().selectedIds]).toEqual([created.id]);
  });

  it('validates the name inline and blocks Next and Finish', async () => {
    const { wiz, user } = open();
    await user.click(wiz.getByRole('button', { name: 'Specify Name and Location' }));
    const name = wiz.getByRole('textbox', { name: 'Name' });
    await user.clear(name);
    await user.type(name, 'web01');
    expect(wiz.getByText('A virtual machine named “web01” already exists.')).toBeTruthy();
    expect(wiz.getByRole('button', { name: 'Next' }).hasAttribute('disabled')).toBe(true);
    expect(wiz.getByRole('button', { name: 'Finish' }).hasAttribute('disabled')).toBe(true);
    await user.clear(name);
    await user.type(name, 'bad:name');
    expect(wiz.getByText(/cannot contain/)).toBeTruthy();
    await user.clear(name);
    await user.type(name, 'fine');
    expect(wiz.getByRole('button', { name: 'Next' }).hasAttribute('disabled')).toBe(false);
  });

  it('validates memory against the host and disk sizes against the VHD limit', async () => {
    const { wiz, user } = open();
    await user.click(wiz.getByRole('button', { name: 'Assign Memory' }));
    const mem = wiz.getByRole('spinbutton', { name: 'Memory (MiB)' });
    await user.clear(mem);
    await user.type(mem, '8{Enter}');
    expect(wiz.getByText(/at least 16 MiB/)).toBeTruthy();
    await user.clear(mem);
    await user.type(mem, '256{Enter}');
    expect(wiz.queryByText(/at least 16 MiB/)).toBeNull();
    await user.click(wiz.getByRole('button', { name: 'Connect Virtual Hard Disk' }));
    const size = wiz.getByRole('textbox', { name: 'Size' });
    await user.clear(size);
    await user.type(size, '3000 GB');
    await user.click(wiz.getByRole('combobox', { name: 'Format' }));
    await user.click(screen.getByRole('option', { name: /^VHD \(/ }));
    expect(wiz.getByText(/VHD can be at most 2040 GB/)).toBeTruthy();
  });

  it('sends kernel boot, an ISO and “start after creation”', async () => {
    const { wiz, user, call } = open();
    await user.click(wiz.getByRole('button', { name: 'Installation Options' }));
    await user.click(wiz.getByRole('radio', { name: /CD\/DVD image/ }));
    await user.type(wiz.getByRole('textbox', { name: 'Image file' }), '/data/x.iso');
    await user.click(wiz.getByRole('button', { name: 'Kernel boot (advanced)' }));
    await user.type(wiz.getByRole('textbox', { name: 'Kernel' }), '/g/vmlinuz');
    await user.type(wiz.getByRole('textbox', { name: 'Initial RAM disk (optional)' }), '/g/initrd.img');
    await user.click(wiz.getByRole('button', { name: 'Completing the Wizard' }));
    await user.click(wiz.getByRole('checkbox', { name: 'Start the virtual machine after it is created' }));
    await user.click(wiz.getByRole('button', { name: 'Finish' }));
    await waitFor(() => expect(call).toHaveBeenCalled());
    expect(call.mock.calls[0]?.[1]).toMatchObject({
      iso: '/data/x.iso',
      bootFrom: 'cd',
      kernel: { path: '/g/vmlinuz', initrd: '/g/initrd.img', append: '' },
      start: true,
    });
  });

  it('a fixed-size disk stays a new disk (nested radio groups do not leak)', async () => {
    const { wiz, user, call } = open();
    await user.click(wiz.getByRole('button', { name: 'Connect Virtual Hard Disk' }));
    await user.click(wiz.getByRole('radio', { name: 'Fixed size' }));
    expect(wiz.getByRole('radio', { name: 'Create a virtual hard disk' })).toHaveProperty('checked', true);
    await user.click(wiz.getByRole('button', { name: 'Finish' }));
    await waitFor(() => expect(call).toHaveBeenCalled());
    expect(call.mock.calls[0]?.[1]).toMatchObject({ disk: { kind: 'new', type: 'fixed' } });
  });

  it('keeps the wizard open and shows the engine’s message and hint on failure', async () => {
    const { wiz, user } = open({
      'vm.create': () => {
        throw new ViridianError('INSUFFICIENT_MEMORY', 'The host has not enough free memory.', 'Give the VM less memory.');
      },
    });
    await user.click(wiz.getByRole('button', { name: 'Finish' }));
    const err = await wiz.findByTestId('dialog-error');
    expect(err.textContent).toContain('The host has not enough free memory.');
    expect(err.textContent).toContain('Give the VM less memory.');
    expect(screen.getByTestId('wizard-new-vm')).toBeTruthy();
  });
});
