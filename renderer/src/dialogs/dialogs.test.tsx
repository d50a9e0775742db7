// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { openDialog, uiStore } from '../state/ui-store';
import { makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { DialogHost } from './DialogHost';
import { act } from 'react';

beforeAll(() => fakeLayout());
afterEach(cleanup);

function setup() {
  const web = makeVm('web01', 'Running');
  const db = makeVm('db01', 'Off');
  seed([web, db]);
  const f = fakeEngine({
    'vm.action': () => ({}),
    'vm.rename': (p) => ({ ...web, name: (p as { name: string }).name }),
    'vm.delete': (p) => ({ deleted: (p as { confirm: boolean }).confirm, files: ['/data/vms/db01/vm.json', '/data/vms/db01/disk.qcow2'], kept: ['/srv/shared.qcow2'] }),
  });
  renderWithEngine(<DialogHost />, f.engine);
  return { ...f, web, db, user: userEvent.setup() };
}

describe('dialogs', () => {
  it('Turn Off says what is lost, and only then calls the engine', async () => {
    const { web, call, user } = setup();
    act(() => openDialog({ kind: 'confirm', action: 'turnOff', vmIds: [web.id] }));
    const d = within(screen.getByTestId('confirm-dialog'));
    expect(d.getByText(/pulling the power cord/)).toBeTruthy();
    expect(call).not.toHaveBeenCalled();
    await user.click(d.getByRole('button', { name: 'Turn Off' }));
    expect(call).toHaveBeenCalledWith('vm.action', { vm: web.id, action: 'turnOff' });
    expect(uiStore.getState().dialog).toBeNull();
  });

  it('Delete lists the files that go and the disks kept, then deletes', async () => {
    const { db, call, user } = setup();
    act(() => openDialog({ kind: 'delete', vmIds: [db.id] }));
    const d = within(screen.getByTestId('confirm-dialog'));
    await waitFor(() => expect(d.getByTestId('delete-files').textContent).toContain('/data/vms/db01/disk.qcow2'));
    expect(d.getByTestId('delete-kept').textContent).toContain('/srv/shared.qcow2');
    expect(call).toHaveBeenCalledWith('vm.delete', { vm: db.id, confirm: false });
    await user.click(d.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(call).toHaveBeenCalledWith('vm.delete', { vm: db.id, confirm: true }));
  });

  it('Rename checks the name as you type and renames', async () => {
    const { web, call, user } = setup();
    act(() => openDialog({ kind: 'rename', vmId: web.id }));
    const d = within(screen.getByTestId('rename-dialog'));
    const input = d.getByRole('textbox', { name: 'Name' });
    await user.clear(input);
    await user.type(input, 'db01');
    expect(d.getByText(/already exists/)).toBeTruthy();
    expect(d.getByRole('button', { name: 'Rename' }).hasAttribute('disabled')).toBe(true);
    await user.clear(input);
    await user.type(input, 'web02{Enter}');
    await waitFor(() => expect(call).toHaveBeenCalledWith('vm.rename', { vm: web.id, name: 'web02' }));
  });

  it('actions the engine lacks explain themselves', () => {
    setup();
    act(() => openDialog({ kind: 'notAvailable', action: 'snapshot' }));
    expect(screen.getByTestId('not-available-dialog').textContent).toMatch(/Snapshots are not available/);
  });

  it('Connect to Server asks for the address and token (renderer/src/hosts/hosts.test.tsx covers the rest)', () => {
    setup();
    act(() => openDialog({ kind: 'connectServer' }));
    const d = within(screen.getByTestId('connect-server-dialog'));
    expect(d.getByRole('textbox', { name: /Server address/ })).toBeTruthy();
    expect(d.getByLabelText(/Access token/)).toBeTruthy();
    expect(d.getByRole('button', { name: 'OK' }).hasAttribute('disabled')).toBe(false);
  });
});
