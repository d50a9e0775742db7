import { formatMiB, formatUptime, type VmSummary } from '../../../core/contract';

// The wording shared with the CLI lives in the contract.
export { formatMiB, formatUptime, reasonText, statusText } from '../../../core/contract';

export function formatCpu(percent: number): string {
  return `${Math.round(percent)} %`;
}

/** Numbers only make sense while a guest runs; an off VM shows blanks like Hyper-V. */
export function cpuText(vm: VmSummary): string {
  return vm.stats === null ? '' : formatCpu(vm.stats.cpuPercent);
}

export function memoryText(vm: VmSummary): string {
  return vm.stats === null ? '' : formatMiB(vm.stats.memoryMiB);
}

export function uptimeText(vm: VmSummary): string {
  return vm.stats === null ? '' : formatUptime(vm.stats.uptimeSec);
}
