// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Job } from '../../../core/contract';
import type { FitCheck, MigrationResult, RemoteHost } from '../../../core/contract/protocol-migration';
import { DialogHost } from '../dialogs/DialogHost';
import { applyHostEvent, hostsStore, loadHosts } from '../hosts/hosts-store';
import { consoleBatcher } from '../state/app-stores';
import { openDialog, uiStore } from '../state/ui-store';
import { makeHost, makeVm } from '../test-support/fixtures';
import { fakeEngine, fakeLayout, renderWithEngine, seed } from '../test-support/render-console';
import { currentPhase, notConverged, phasesFor } from './migrate-model';

beforeAll(() => fakeLayout());
afterEach(cleanup);

function remoteHost(id: string, address: string, extra: Partial<RemoteHost> = {}): RemoteHost {
  return { id, address, tlsFingerprint: null, connection: 'connected', error: null, retryAt: null, info: makeHost({ hostname: `host-${id}` }), vms: [], addedAt: '2026-01-01T00:00:00.000Z', connectedAt: '2026-01-01T00:00:00.000Z', ...extra };
}

function job(extra: Partial<Job>): Job {
  return { id: 'job-1', kind: 'migration', label: 'Quick migrate virtual machine', vmId: null, vmName: 'web01', state: 'running', phase: 'Starting', percent: null, cancellable: true, steps: [{ at: 't', text: 'Quick migrate virtual machine' }], cli: 'viridian vm migrate web01 --to 10.0.0.2:8443 --quick', startedAt: 't', endedAt: null, error: null, ...extra };
}

describe('migrate model', () => {
  it('lists the phases for each kind of move', () => {
    expect(phasesFor('quick', 'shared', 'Running').map((p) => p.name)).toEqual(['checking', 'saving', 'transferring', 'restoring']);
    expect(phasesFor('quick', 'copy', 'Off').map((p) => p.name)).toEqual(['checking', 'transferring', 'restoring']);
    expect(phasesFor('live', 'copy', 'Running').map((p) => p.name)).toEqual(['checking', 'mirroring', 'migrating', 'switching']);
    expect(phasesFor('live', 'shared', 'Running').map((p) => p.name)).toEqual(['checking', 'migrating', 'switching']);
  });

  it('follows the job’s steps to its phase and spots a live migration that did not converge', () => {
    expect(currentPhase({ steps: [{ at: '', text: 'Quick migrate' }, { at: '', text: 'Saving the virtual machine' }] })).toBe('saving');
    expect(currentPhase({ steps: [{ at: '', text: 'Transferring 2 files (98 MiB)' }, { at: '', text: 'Warning: x' }] })).toBe('transferring');
    expect(currentPhase({ steps: [{ at: '', text: 'Handing over to the target' }] })).toBe('switching');
    expect(notConverged({ code: 'TIMEOUT', message: 'Live migration of "x" did not converge within 60 s: …' })).toBe(true);
    expect(notConverged({ code: 'TIMEOUT', message: 'The target did not answer' })).toBe(false);
  });
});

describe('Migrate wizard', () => {
  beforeEach(() => {
    hostsStore.setState({ hosts: new Map(), jobs: new Map(), selectedHostId: null, selectedVmId: null, loaded: false });
  });

  it('checks the chosen target, shows problems with fixes, and runs the move with its phases and result', async () => {
    const web = makeVm('web01', 'Running');
    seed([web]);
    loadHosts([remoteHost('b', '10.0.0.2:8443'), remoteHost('c', '10.0.0.3:8443', { connection: 'disconnected' })]);
    const fits: Record<string, FitCheck> = {
      '10.0.0.2:8443/quick/shared': { ok: true, vmId: web.id, vmName: 'web01', vmState: 'Running', liveAvailable: true, target: { address: '10.0.0.2:8443', hostname: 'host-b', freeMemoryMiB: 4000, freeDiskBytes: 5e9, accelerator: 'tcg', qemuVersion: '7.2.0' }, bytesToCopy: 0, stateBytesMax: 0, problems: [] },
      '10.0.0.2:8443/quick/copy': { ok: false, vmId: web.id, vmName: 'web01', vmState: 'Running', liveAvailable: true, target: null, bytesToCopy: 20e9, stateBytesMax: 0, problems: [{ severity: 'error', check: 'disk', message: 'The disks need 19074 MiB on "host-b"; 100 MiB are free.', fix: 'Free space on the target, or use shared storage both hosts see.' }] },
    };
    const { engine, call } = fakeEngine({
      'migration.check': (p) => {
        const q = p as { to: string; mode: string; storage: string };
        return fits[`${q.to}/${q.mode}/${q.storage}`];
      },
      'migration.start': () => job({ vmId: web.id }),
    });
    renderWithEngine(<DialogHost />, engine);
    const user = userEvent.setup();
    act(() => openDialog({ kind: 'migrate', vmId: web.id, hostId: null }));
    const w = within(screen.getByTestId('migrate-wizard'));
    // A disconnected server is listed but cannot be chosen.
    expect((w.getByRole('radio', { name: /10\.0\.0\.3:8443.*disconnected/ }) as HTMLInputElement).disabled).toBe(true);
    await user.click(w.getByRole('radio', { name: /host-b/ }));
    await waitFor(() => expect(w.getByTestId('fit-check').dataset['ok']).toBe('true'));
    expect(w.getByText('host-b can run this VM.')).toBeTruthy();
    await user.click(w.getByRole('button', { name: 'Next' }));
    await user.click(w.getByRole('radio', { name: /Copy the disks/ }));
    await waitFor(() => expect(w.getByTestId('fit-problem').dataset['check']).toBe('disk'));
    expect(w.getByText(/Fix: Free space on the target/)).toBeTruthy();
    expect((w.getByRole('button', { name: 'Finish' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(w.getByRole('radio', { name: /Shared storage/ }));
    await user.click(w.getByRole('button', { name: 'Next' }));
    await user.click(w.getByRole('button', { name: 'Next' }));
    expect(w.getByTestId('migrate-summary').textContent).toMatch(/host-b/);
    expect(w.getByText('viridian vm migrate web01 --to 10.0.0.2:8443 --quick')).toBeTruthy();
    await waitFor(() => expect((w.getByRole('button', { name: 'Finish' }) as HTMLButtonElement).disabled).toBe(false));
    await user.click(w.getByRole('button', { name: 'Finish' }));
    expect(call).toHaveBeenCalledWith('migration.start', { vm: web.id, to: '10.0.0.2:8443', mode: 'quick', storage: 'shared' });
    await waitFor(() => expect(w.getByTestId('migration-progress')).toBeTruthy());

    // The job's events move the phases along, then the result shows downtime and bytes.
    const steps = [
      { at: 't', text: 'Quick migrate virtual machine' },
      { at: 't', text: 'Saving the virtual machine' },
    ];
    act(() => {
      consoleBatcher.push([{ e: 'job.upsert', p: { job: job({ vmId: web.id, steps, phase: 'Saving', percent: 12 }) }, seq: 100 }]);
      consoleBatcher.flush();
    });
    await waitFor(() => expect(w.getAllByTestId('migration-phase').map((li) => li.dataset['status'])).toEqual(['done', 'active', 'pending', 'pending']));
    const result: MigrationResult = {
      vmId: web.id,
      vmName: 'web01',
      mode: 'quick',
      storage: 'shared',
      from: 'testhost',
      to: '10.0.0.2:8443',
      phases: [
        { name: 'checking', ms: 40, bytes: 0 },
        { name: 'saving', ms: 800, bytes: 0 },
        { name: 'transferring', ms: 300, bytes: 98_000_000 },
        { name: 'restoring', ms: 400, bytes: 0 },
      ],
      downtimeMs: 1523.4,
      qemuDowntimeMs: null,
      totalMs: 1600,
      bytesMoved: 98_000_000,
      finalState: 'Running',
    };
    act(() => {
      consoleBatcher.push([{ e: 'job.upsert', p: { job: job({ vmId: web.id, state: 'completed', steps, result }) }, seq: 101 }]);
      consoleBatcher.flush();
    });
    await waitFor(() => expect(w.getByTestId('migration-downtime').textContent).toBe('1,523 ms'));
    expect(w.getByTestId('migration-bytes').textContent).toBe('93.5 MiB');
    expect(w.getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('offers Quick Migration when a live migration does not converge (VM on a remote host, through the relay)', async () => {
    seed([]);
    const vm = makeVm('busy', 'Running');
    loadHosts([remoteHost('r', '10.0.0.9:8443', { vms: [vm] }), remoteHost('b', '10.0.0.2:8443')]);
    const fit: FitCheck = { ok: true, vmId: vm.id, vmName: 'busy', vmState: 'Running', liveAvailable: true, target: { address: '10.0.0.2:8443', hostname: 'host-b', freeMemoryMiB: 4000, freeDiskBytes: 5e9, accelerator: 'tcg', qemuVersion: '7.2.0' }, bytesToCopy: 0, stateBytesMax: 0, problems: [] };
    const { engine, call } = fakeEngine({
      'hosts.call': (p) => {
        const q = p as { method: string; params: { mode: string } };
        if (q.method === 'migration.check') return fit;
        return job({ id: q.params.mode === 'live' ? 'live-1' : 'quick-1', vmId: vm.id });
      },
    });
    renderWithEngine(<DialogHost />, engine);
    const user = userEvent.setup();
    act(() => openDialog({ kind: 'migrate', vmId: vm.id, hostId: 'r' }));
    const w = within(screen.getByTestId('migrate-wizard'));
    // The VM's own host is not a target.
    expect(w.queryByRole('radio', { name: /10\.0\.0\.9/ })).toBeNull();
    await user.click(w.getByRole('radio', { name: /host-b/ }));
    await user.click(w.getByRole('button', { name: 'Next' }));
    await user.click(w.getByRole('button', { name: 'Next' }));
    await user.click(w.getByRole('radio', { name: /Live migration/ }));
    await waitFor(() => expect((w.getByRole('button', { name: 'Finish' }) as HTMLButtonElement).disabled).toBe(false));
    await user.click(w.getByRole('button', { name: 'Finish' }));
    expect(call).toHaveBeenCalledWith('hosts.call', { host: 'r', method: 'migration.start', params: { vm: vm.id, to: '10.0.0.2:8443', mode: 'live', storage: 'shared' } });
    const error = { code: 'TIMEOUT' as const, message: 'Live migration of "busy" did not converge within 60 s: the guest dirties memory at about 300 MiB/s.', hint: 'Use Quick Migration instead.' };
    act(() => applyHostEvent({ e: 'hosts.job.upsert', p: { hostId: 'r', job: job({ id: 'live-1', vmId: vm.id, state: 'failed', error }) }, seq: 5 }));
    await waitFor(() => expect(w.getByTestId('use-quick')).toBeTruthy());
    expect(w.getByText(/did not converge within 60 s/)).toBeTruthy();
    await user.click(w.getByTestId('use-quick'));
    expect(call).toHaveBeenCalledWith('hosts.call', { host: 'r', method: 'migration.start', params: { vm: vm.id, to: '10.0.0.2:8443', mode: 'quick', storage: 'shared' } });
    expect(uiStore.getState().dialog).toEqual({ kind: 'migrate', vmId: vm.id, hostId: 'r' });
  });
});
