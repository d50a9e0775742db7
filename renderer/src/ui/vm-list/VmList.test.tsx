// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ACTIONS_BY_STATE, ACTION_LABELS, type VmSummary } from '../../../../core/contract';
import { consoleStore } from '../../state/app-stores';
import { applyEvents } from '../../state/console-store';
import { uiStore } from '../../state/ui-store';
import { makeVm, upsert } from '../../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../../test-support/render-console';
import { ConsoleShell } from '../ConsoleShell';

beforeAll(() => fakeLayout());
afterEach(cleanup);

const rowNames = () => screen.getAllByRole('row').slice(1).map((r) => r.getAttribute('data-testid'));

function setup(vms: VmSummary[]) {
  seed(vms);
  const f = fakeEngine({
    'vm.delete': () => ({ deleted: false, files: ['/data/vms/a/vm.json'], kept: [] }),
    'vm.action': () => ({}),
  });
  renderWithEngine(<ConsoleShell />, f.engine);
  return f;
}

describe('Virtual Machines list', () => {
  it('shows a row per VM with its state, sorted by name', () => {
    setup([makeVm('web10', 'Running'), makeVm('web2', 'Off'), makeVm('db', 'Saved')]);
    expect(rowNames()).toEqual(['vm-row-db', 'vm-row-web2', 'vm-row-web10']);
    expect(screen.getByTestId('vm-state-web10').textContent).toBe('Running');
    expect(screen.getByRole('grid', { name: 'Virtual Machines' }).getAttribute('aria-rowcount')).toBe('4');
  });

  it('sorts by a column header and back', async () => {
    setup([makeVm('a', 'Off'), makeVm('b', 'Running'), makeVm('c', 'Saved')]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /^State/ }));
    expect(rowNames()).toEqual(['vm-row-b', 'vm-row-c', 'vm-row-a']);
    expect(screen.getByRole('columnheader', { name: /State/ }).getAttribute('aria-sort')).toBe('ascending');
    await user.click(screen.getByRole('button', { name: /^Name/ }));
    await user.click(screen.getByRole('button', { name: /^Name/ }));
    expect(rowNames()).toEqual(['vm-row-c', 'vm-row-b', 'vm-row-a']);
  });

  it('right-click menu, Actions pane and toolbar all follow the state table', async () => {
    const vm = makeVm('web01', 'Running');
    setup([vm]);
    const expected = ACTIONS_BY_STATE.Running.map((a) => ACTION_LABELS[a]);
    fireEvent.contextMenu(screen.getByTestId('vm-row-web01'), { clientX: 50, clientY: 50 });
    const menu = await screen.findByTestId('vm-context-menu');
    expect(within(menu).getAllByRole('menuitem').map((m) => m.textContent)).toEqual(expected);
    const pane = within(screen.getByTestId('actions-vm-section'));
    expect(pane.getAllByRole('button').slice(1).map((b) => b.textContent)).toEqual(expected);
    const toolbar = within(screen.getByTestId('toolbar'));
    expect(toolbar.getByRole('button', { name: 'Start' }).getAttribute('aria-disabled')).toBe('true');
    expect(toolbar.getByRole('button', { name: 'Save' }).getAttribute('aria-disabled')).not.toBe('true');
  });

  it('multi-select with Ctrl and Shift shows the intersection of actions', async () => {
    setup([makeVm('a', 'Running'), makeVm('b', 'Paused'), makeVm('c', 'Off')]);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('vm-row-a'));
    await user.keyboard('{Control>}');
    await user.click(screen.getByTestId('vm-row-b'));
    await user.keyboard('{/Control}');
    expect(screen.getByTestId('vm-row-a').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('vm-row-b').getAttribute('aria-selected')).toBe('true');
    const pane = within(screen.getByTestId('actions-vm-section'));
    const both = ACTIONS_BY_STATE.Running.filter((x) => ACTIONS_BY_STATE.Paused.includes(x) && x !== 'settings' && x !== 'rename' && x !== 'migrate');
    expect(pane.getAllByRole('button').slice(1).map((b) => b.textContent)).toEqual(both.map((x) => ACTION_LABELS[x]));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByTestId('vm-row-c'));
    await user.keyboard('{/Shift}');
    expect([...uiStore.getState().selectedIds]).toHaveLength(2); // anchor b → c
  });

  it('keyboard: arrows select, Delete asks the engine what would be deleted, Enter connects', async () => {
    const f = setup([makeVm('a', 'Off'), makeVm('b', 'Off')]);
    const grid = screen.getByRole('grid', { name: 'Virtual Machines' });
    act(() => grid.focus());
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(screen.getByTestId('vm-row-b').getAttribute('aria-selected')).toBe('true');
    expect(grid.getAttribute('aria-activedescendant')).toBe(screen.getByTestId('vm-row-b').id);
    fireEvent.keyDown(grid, { key: 'Delete' });
    const dialog = await screen.findByTestId('confirm-dialog');
    await waitFor(() => expect(within(dialog).getByText('/data/vms/a/vm.json')).toBeTruthy());
    expect(f.call).toHaveBeenCalledWith('vm.delete', { vm: consoleStore.getState().sortedIds[1], confirm: false });
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Cancel' }));
    // Enter is Connect: the VM Connection tab opens for the focused VM.
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    fireEvent.keyDown(grid, { key: 'Enter' });
    expect(open).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`#/connect/${consoleStore.getState().sortedIds[1] ?? ''}$`)), expect.any(String));
    open.mockRestore();
  });

  it('F2 on a running VM opens Rename; Delete on a running VM does nothing (the table says no)', () => {
    setup([makeVm('a', 'Running')]);
    const grid = screen.getByRole('grid', { name: 'Virtual Machines' });
    act(() => grid.focus());
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'Delete' });
    expect(uiStore.getState().dialog).toBeNull();
    fireEvent.keyDown(grid, { key: 'F2' });
    expect(uiStore.getState().dialog).toMatchObject({ kind: 'rename' });
  });

  it('renders only a window of 10,000 VMs and follows updates', () => {
    const vms = Array.from({ length: 10_000 }, (_, i) => makeVm(`vm-${String(i).padStart(5, '0')}`, 'Running'));
    setup(vms);
    const rows = screen.getAllByRole('row').length - 1;
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(100);
    const first = vms[0] as VmSummary;
    act(() => applyEvents(consoleStore, [upsert({ ...first, status: { ...first.status, state: 'Saving' }, operation: { jobId: 'j', label: 'Save', percent: 42 } }, 99)]));
    expect(screen.getByTestId('vm-state-vm-00000').textContent).toBe('Saving');
    expect(within(screen.getByTestId('vm-row-vm-00000')).getByText('Saving (42%)')).toBeTruthy();
  });
});
