// How a VM reads to a person, shared by the console and the CLI so both say
// the same thing ("Saving (42%)", "1.02:03:04", "2 GiB").
import type { Job } from './jobs';
import { TRANSIENT_STATES } from './states';
import type { VmSummary } from './vm';

/** Hyper-V style uptime: "02:03:04", or "3.02:03:04" with days. */
export function formatUptime(sec: number): string {
  const s = Math.floor(sec);
  const days = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return days > 0 ? `${days}.${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}`;
}

export function formatMiB(mib: number): string {
  if (mib >= 1024 && mib % 1024 === 0) return `${mib / 1024} GiB`;
  if (mib >= 10240) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${mib} MiB`;
}

function withPercent(label: string, percent: number | null): string {
  return percent === null ? label : `${label} (${Math.round(percent)}%)`;
}

/**
 * The Status column: the operation in flight, named like Hyper-V ("Saving (42%)")
 * while the state says what it is, else the operation's own label; a Critical
 * VM's reason; else nothing.
 */
export function statusText(vm: VmSummary, job?: Job): string {
  const transient = TRANSIENT_STATES.includes(vm.status.state);
  if (vm.operation !== null) return withPercent(transient ? vm.status.state : vm.operation.label, vm.operation.percent);
  if (job !== undefined && transient) return withPercent(vm.status.state, job.percent);
  if (job !== undefined) return withPercent(job.phase || job.label, job.percent);
  if (vm.status.state === 'Critical') return vm.status.reason;
  return '';
}

/** The state's reason, unless it only repeats the state ("Running — Running"). */
export function reasonText(vm: VmSummary): string {
  const r = vm.status.reason.trim();
  return r.toLowerCase() === vm.status.state.toLowerCase() ? '' : r;
}
