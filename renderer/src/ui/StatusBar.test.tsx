// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { AcceleratorNotice } from './AcceleratorNotice';
import { StatusBar } from './StatusBar';

beforeAll(() => fakeLayout());
afterEach(cleanup);

describe('status bar and accelerator notice', () => {
  it('shows the host, the software-emulation notice and the VM counts', () => {
    seed([makeVm('a', 'Running'), makeVm('b', 'Running'), makeVm('c', 'Off')]);
    renderWithEngine(<StatusBar />, fakeEngine().engine);
    const bar = within(screen.getByTestId('status-bar'));
    expect(bar.getByText('testhost')).toBeTruthy();
    expect(screen.getByTestId('status-accelerator').textContent).toContain('Software emulation (TCG)');
    expect(screen.getByTestId('status-counts').textContent).toBe('3 virtual machines · 2 running · 1 off');
  });

  it('says why VMs are slow and how to fix it, until dismissed', async () => {
    localStorage.clear();
    seed([]);
    renderWithEngine(<AcceleratorNotice />, fakeEngine().engine);
    const notice = screen.getByTestId('accelerator-notice');
    expect(notice.textContent).toContain('No KVM.');
    expect(notice.textContent).toContain('Enable VT-x.');
    await userEvent.setup().click(within(notice).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('accelerator-notice')).toBeNull();
  });
});
