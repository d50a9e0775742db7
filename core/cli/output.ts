import { formatBytes, formatMiB, formatUptime, reasonText, statusText, type ErrorInfo, type Job, type VmDetail, type VmSummary } from '../contract';

/** Where a command writes; injectable so tests run the CLI in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether a person can answer a question (y/N) on stdin. */
  isTTY: boolean;
  /** Asks one question and returns the answer line (used only when isTTY). */
  prompt: (question: string) => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Ends a foreground `viridian host` (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export class Output {
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  line(text = ''): void {
    this.io.stdout(`${text}\n`);
  }

  /** The one JSON document a --json command prints. */
  doc(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** A one-line error on stderr; with --json also `{"error":…}` on stdout. */
  error(info: ErrorInfo, extra?: Record<string, unknown>): void {
    this.io.stderr(`error: ${info.message}${info.hint ? ` ${info.hint}` : ''}\n`);
    if (this.json) this.doc({ error: info, ...extra });
  }
}

/** A VM as --json prints it: flat, with the contract's state names. */
export function flattenVm(vm: VmSummary) {
  return {
    name: vm.name,
    id: vm.id,
    state: vm.status.state,
    stateReason: vm.status.reason,
    stateSince: vm.status.since,
    memoryMiB: vm.memoryMiB,
    assignedMemoryMiB: vm.stats?.memoryMiB ?? null,
    cpus: vm.cpus,
    uptimeSec: vm.stats?.uptimeSec ?? null,
    cpuPercent: vm.stats?.cpuPercent ?? null,
    hasSavedState: vm.hasSavedState,
    operation: vm.operation,
    migrationBlocker: vm.migrationBlocker,
    notes: vm.notes,
  };
}

export function flattenVmDetail(vm: VmDetail) {
  return { ...flattenVm(vm), folder: vm.folder, config: vm.config, logTail: vm.logTail };
}

/** What the Status column says: the operation in flight, else why the VM is in its state. */
export function vmStatusText(vm: VmSummary): string {
  return statusText(vm) || reasonText(vm);
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), ...rows.map(fmt)].join('\n');
}

export function vmTable(vms: readonly VmSummary[]): string {
  return table(
    ['Name', 'State', 'CPU', 'Memory', 'Uptime', 'Status'],
    vms.map((vm) => [
      vm.name,
      vm.status.state,
      vm.stats ? `${Math.round(vm.stats.cpuPercent)} %` : '',
      formatMiB(vm.stats?.memoryMiB ?? vm.memoryMiB),
      vm.stats ? formatUptime(vm.stats.uptimeSec) : '',
      vmStatusText(vm),
    ]),
  );
}

/** `key: value` lines, keys aligned. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`.trimEnd()).join('\n');
}

export function vmDetailLines(vm: VmDetail): string {
  const c = vm.config;
  const pairs: [string, string][] = [
    ['Name', vm.name],
    ['Id', vm.id],
    ['State', vm.status.state],
    ['Status', vmStatusText(vm)],
    ['Since', vm.status.since],
    ['Memory', formatMiB(vm.memoryMiB)],
    ['Processors', String(vm.cpus)],
  ];
  if (vm.stats) {
    pairs.push(['CPU usage', `${Math.round(vm.stats.cpuPercent)} %`], ['Assigned memory', formatMiB(vm.stats.memoryMiB)], ['Uptime', formatUptime(vm.stats.uptimeSec)]);
  }
  c.ide.forEach((ctrl, ci) =>
    ctrl.forEach((slot, si) => {
      if (!slot) return;
      const where = `IDE ${ci}:${si}`;
      if (slot.kind === 'dvd') pairs.push([where, `DVD ${slot.path ?? '(empty)'}`]);
      else pairs.push([where, `${slot.path} (${slot.format}, ${slot.type}, ${formatBytes(slot.virtualSize)})`]);
    }),
  );
  for (const d of c.scsi) pairs.push([`SCSI ${d.lun}`, `${d.path} (${d.format}, ${d.type}, ${formatBytes(d.virtualSize)})`]);
  for (const n of c.network) pairs.push([`Network ${n.kind}`, `${n.network ?? 'not connected'} ${n.mac}`]);
  if (c.kernel) pairs.push(['Kernel', `${c.kernel.path}${c.kernel.initrd ? ` initrd=${c.kernel.initrd}` : ''}${c.kernel.append ? ` append="${c.kernel.append}"` : ''}`]);
  pairs.push(['Saved state', vm.hasSavedState ? 'yes' : 'no']);
  if (vm.migrationBlocker) pairs.push(['Save/migrate', vm.migrationBlocker]);
  pairs.push(['Folder', vm.folder], ['Notes', vm.notes.replace(/\s+/g, ' ')]);
  let out = keyValues(pairs);
  if (vm.logTail.length > 0) out += `\n\nLast QEMU log lines:\n${vm.logTail.map((l) => `  ${l}`).join('\n')}`;
  return out;
}

export function jobLine(job: Job): string {
  const what = job.vmName ? `${job.label} (${job.vmName})` : job.label;
  return `${what}: ${job.state}`;
}
