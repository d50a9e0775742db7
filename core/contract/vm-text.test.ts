import { describe, expect, it } from 'vitest';
import type { VmSummary } from './vm';
import { formatMiB, formatUptime, reasonText, statusText } from './vm-text';

function vm(state: VmSummary['status']['state'], reason: string, operation: VmSummary['operation'] = null): VmSummary {
  return { status: { state, reason }, operation } as VmSummary;
}

describe('vm text', () => {
  it('names an operation in flight by its state, with its percent', () => {
    expect(statusText(vm('Saving', 'Saving the memory state', { label: 'Save virtual machine', percent: 41.6 } as VmSummary['operation']))).toBe('Saving (42%)');
    expect(statusText(vm('Running', 'Running', { label: 'Take snapshot', percent: null } as VmSummary['operation']))).toBe('Take snapshot');
  });
  it('says nothing for a settled VM, and the reason for a Critical one', () => {
    expect(statusText(vm('Running', 'Running'))).toBe('');
    expect(statusText(vm('Critical', 'QEMU was killed (SIGKILL).'))).toBe('QEMU was killed (SIGKILL).');
    expect(reasonText(vm('Off', 'off'))).toBe('');
    expect(reasonText(vm('Off', 'Turned off'))).toBe('Turned off');
  });
  it('formats uptime and memory like the console', () => {
    expect(formatUptime(3 * 86400 + 2 * 3600 + 3 * 60 + 4.9)).toBe('3.02:03:04');
    expect(formatUptime(59)).toBe('00:00:59');
    expect(formatMiB(512)).toBe('512 MiB');
    expect(formatMiB(2048)).toBe('2 GiB');
    expect(formatMiB(12800)).toBe('12.5 GiB');
  });
});
