// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { RemoteHost } from '../../../core/contract/protocol-migration';
import { DialogHost } from '../dialogs/DialogHost';
import { openDialog, uiStore } from '../state/ui-store';
import { makeHost, makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { NavTree } from '../ui/NavTree';
import { applyHostEvent, hostsStore, loadHosts } from './hosts-store';
import { RemoteHostPane } from './RemoteHostPane';

beforeAll(() => fakeLayout());
afterEach(cleanup);
beforeEach(() => {
  seed([]);
  hostsStore.setState({ hosts: new Map(), jobs: new Map(), selectedHostId: null, selectedVmId: null, loaded: false });
});

function remoteHost(extra: Partial<RemoteHost> = {}): RemoteHost {
  return { id: 'h1', address: '10.0.0.2:8443', tlsFingerprint: null, connection: 'connected', error: null, retryAt: null, info: makeHost({ hostname: 'hyperv02' }), vms: [], addedAt: 't', connectedAt: 't', ...extra };
}

describe('remote hosts in the console', () => {
  it('Connect to Server checks the fields, then the engine adds the server and the tree selects it', async () => {
    const { engine, call } = fakeEngine({ 'hosts.add': () => remoteHost() });
    renderWithEngine(<DialogHost />, engine);
    const user = userEvent.setup();
    act(() => openDialog({ kind: 'connectServer' }));
    const d = within(screen.getByTestId('connect-server-dialog'));
    await user.type(d.getByRole('textbox', { name: /Server address/ }), 'not an address');
    await user.click(d.getByRole('button', { name: 'OK' }));
    expect(d.getByText(/A server address looks like/)).toBeTruthy();
    expect(call).not.toHaveBeenCalled();
    await user.clear(d.getByRole('textbox', { name: /Server address/ }));
    await user.type(d.getByRole('textbox', { name: /Server address/ }), '10.0.0.2:8443');
    await user.type(d.getByLabelText(/Access token/), 'a'.repeat(43));
    await user.click(d.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(uiStore.getState().dialog).toBeNull());
    expect(call).toHaveBeenCalledWith('hosts.add', { address: '10.0.0.2:8443', token: 'a'.repeat(43) });
    expect(hostsStore.getState().selectedHostId).toBe('h1');
  });

  it('an engine refusal stays in the dialog with its fix', async () => {
    const { engine } = fakeEngine({
      'hosts.add': () => {
        throw Object.assign(new Error('The host at wss://10.0.0.2:8443/api/ws refused the token.'), { code: 'UNAUTHORIZED', hint: 'Use the token from the host’s data directory.' });
      },
    });
    renderWithEngine(<DialogHost />, engine);
    const user = userEvent.setup();
    act(() => openDialog({ kind: 'connectServer' }));
    const d = within(screen.getByTestId('connect-server-dialog'));
    await user.type(d.getByRole('textbox', { name: /Server address/ }), '10.0.0.2:8443');
    await user.type(d.getByLabelText(/Access token/), `${'b'.repeat(43)}{Enter}`);
    await waitFor(() => expect(d.getByTestId('dialog-error').textContent).toMatch(/refused the token/));
    expect(uiStore.getState().dialog).toEqual({ kind: 'connectServer' });
  });

  it('the tree lists remembered servers, marks one that went away, and follows the relay’s events', async () => {
    const { engine } = fakeEngine();
    renderWithEngine(<NavTree />, engine);
    act(() => loadHosts([remoteHost()]));
    const item = screen.getByTestId('tree-remote-host');
    expect(item.textContent).toBe('hyperv02 (10.0.0.2:8443)');
    act(() => applyHostEvent({ e: 'hosts.changed', p: { host: remoteHost({ connection: 'disconnected', error: { code: 'PROTOCOL', message: 'lost' } }) }, seq: 1 }));
    expect(screen.getByTestId('tree-remote-host').textContent).toBe('hyperv02 (10.0.0.2:8443) (disconnected)');
    fireEvent.click(screen.getByTestId('tree-remote-host'));
    expect(hostsStore.getState().selectedHostId).toBe('h1');
    fireEvent.click(screen.getByTestId('tree-host'));
    expect(hostsStore.getState().selectedHostId).toBeNull();
    act(() => applyHostEvent({ e: 'hosts.removed', p: { id: 'h1' }, seq: 2 }));
    expect(screen.queryByTestId('tree-remote-host')).toBeNull();
  });

  it('the server’s pane shows its VMs with live state; right-click acts through the relay; away, it says so and offers Reconnect', async () => {
    const web = makeVm('web01', 'Running');
    const { engine, call } = fakeEngine({ 'hosts.call': () => ({}), 'hosts.reconnect': () => remoteHost() });
    act(() => loadHosts([remoteHost({ vms: [web] })]));
    renderWithEngine(<RemoteHostPane hostId="h1" />, engine);
    const row = screen.getByTestId('remote-vm-row');
    expect(row.dataset['state']).toBe('Running');
    act(() => applyHostEvent({ e: 'hosts.vm.upsert', p: { hostId: 'h1', vm: { ...web, status: { ...web.status, state: 'Paused' } } }, seq: 3 }));
    expect(screen.getByTestId('remote-vm-row').dataset['state']).toBe('Paused');
    fireEvent.contextMenu(screen.getByTestId('remote-vm-row'), { clientX: 10, clientY: 10 });
    const menu = await screen.findByTestId('vm-context-menu');
    const items = within(menu).getAllByRole('menuitem').map((m) => m.textContent);
    expect(items).toEqual(expect.arrayContaining(['Resume', 'Save', 'Migrate…']));
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Resume' }));
    expect(call).toHaveBeenCalledWith('hosts.call', { host: 'h1', method: 'vm.action', params: { vm: web.id, action: 'resume' } });
    act(() => applyHostEvent({ e: 'hosts.changed', p: { host: remoteHost({ vms: [web], connection: 'disconnected', error: { code: 'PROTOCOL', message: 'The connection to 10.0.0.2:8443 was lost: closed.' }, retryAt: new Date(Date.now() + 4000).toISOString() }) }, seq: 4 }));
    expect(screen.getByTestId('remote-host-status').textContent).toMatch(/Disconnected from 10\.0\.0\.2:8443.*was lost.*Reconnecting by itself in [3-5] s/);
    expect(screen.getByTestId('remote-vm-row')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect now' }));
    expect(call).toHaveBeenCalledWith('hosts.reconnect', { host: 'h1' });
  });
});
