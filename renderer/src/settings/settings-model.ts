import {
  MAC_RE,
  MAX_CPUS,
  type DiskAttachment,
  type VmConfig,
  type VmConfigChanges,
  type VmState,
} from '../../../core/contract';
import { validateMemory, validatePath, validateVmName, type FieldErrors } from '../wizards/new-vm/validation';

/** States in which every setting may change (no QEMU process holds the config). */
export const EDITABLE_STATES: readonly VmState[] = ['Off', 'Saved', 'Critical'];

/** Settings that may change while the VM runs: the rest need it off or saved. */
export const HOT_KEYS: ReadonlySet<keyof VmConfig> = new Set<keyof VmConfig>([
  'name',
  'notes',
  'integration',
  'automaticStart',
  'automaticStop',
  'scsi',
]);

export const LOCKED_REASON = 'These settings can be changed only when the virtual machine is turned off or saved.';

export function isLocked(state: VmState): boolean {
  return !EDITABLE_STATES.includes(state);
}

const FIXED_KEYS: ReadonlySet<string> = new Set(['id', 'schemaVersion', 'createdAt']);

/** JSON with sorted keys, so key order never counts as a change. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val !== null && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

/** Only the top-level keys that differ, as vm.update wants them. */
export function diffConfig(original: VmConfig, draft: VmConfig): VmConfigChanges {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(draft) as (keyof VmConfig)[]) {
    if (FIXED_KEYS.has(key)) continue;
    if (stableJson(draft[key]) !== stableJson(original[key])) changes[key] = draft[key];
  }
  return changes as VmConfigChanges;
}

export function changedKeys(changes: VmConfigChanges): (keyof VmConfig)[] {
  return Object.keys(changes) as (keyof VmConfig)[];
}

/** Disks in the draft that the original did not have at that path: their format and size come from disk.inspect. */
export function disksToInspect(original: VmConfig, draft: VmConfig): string[] {
  const known = new Set<string>();
  const paths = (c: VmConfig): DiskAttachment[] => [
    ...c.ide.flatMap((ctrl) => ctrl.filter((s): s is DiskAttachment => s?.kind === 'disk')),
    ...c.scsi,
  ];
  for (const d of paths(original)) known.add(d.path);
  return [...new Set(paths(draft).map((d) => d.path).filter((p) => !known.has(p)))];
}

/** Fills format, type and size of the given disks from inspect results. */
export function applyDiskInfo(
  draft: VmConfig,
  info: ReadonlyMap<string, Pick<DiskAttachment, 'format' | 'type' | 'virtualSize'>>,
): VmConfig {
  const fix = <T extends DiskAttachment>(d: T): T => {
    const i = info.get(d.path);
    return i === undefined ? d : { ...d, format: i.format, type: i.type, virtualSize: i.virtualSize };
  };
  return {
    ...draft,
    ide: draft.ide.map((ctrl) => ctrl.map((s) => (s?.kind === 'disk' ? fix(s) : s))) as VmConfig['ide'],
    scsi: draft.scsi.map(fix),
  };
}

export type SettingsPageId =
  | 'addHardware'
  | 'bios'
  | 'memory'
  | 'processor'
  | 'ide0'
  | 'ide1'
  | 'scsi'
  | `nic:${string}`
  | 'com1'
  | 'com2'
  | 'diskette'
  | 'name'
  | 'integration'
  | 'autoStart'
  | 'autoStop';

/** Pages whose settings may change while the VM runs. */
export const HOT_PAGES: ReadonlySet<string> = new Set(['scsi', 'name', 'integration', 'autoStart', 'autoStop']);

function intIn(n: number, lo: number, hi: number): boolean {
  return Number.isInteger(n) && n >= lo && n <= hi;
}

export interface SettingsContext {
  maxMemoryMiB: number;
  otherNames: readonly string[];
}

/** Problems per page; OK and Apply stay off while any page has one. */
export function validateSettings(c: VmConfig, ctx: SettingsContext): Partial<Record<SettingsPageId, FieldErrors>> {
  const out: Partial<Record<SettingsPageId, FieldErrors>> = {};
  const add = (page: SettingsPageId, field: string, msg: string | null): void => {
    if (msg === null) return;
    (out[page] ??= {})[field] = msg;
  };
  add('memory', 'memory', validateMemory(c.memoryMiB, ctx.maxMemoryMiB));
  add('processor', 'count', intIn(c.processor.count, 1, MAX_CPUS) ? null : `Choose between 1 and ${MAX_CPUS} virtual processors.`);
  add('processor', 'reserve', intIn(c.processor.reservePercent, 0, 100) ? null : 'The reserve is a percentage from 0 to 100.');
  add('processor', 'limit', intIn(c.processor.limitPercent, 1, 100) ? null : 'The limit is a percentage from 1 to 100.');
  add('processor', 'weight', intIn(c.processor.weight, 1, 10000) ? null : 'The relative weight is from 1 to 10000.');
  c.ide.forEach((ctrl, ci) =>
    ctrl.forEach((slot, si) => {
      const page = ci === 0 ? 'ide0' : 'ide1';
      if (slot?.kind === 'disk') add(page, `slot${si}`, validatePath(slot.path, 'virtual hard disk'));
      if (slot?.kind === 'dvd' && slot.path !== null && slot.path.trim() === '') add(page, `slot${si}`, 'Enter the image path, or choose No media.');
    }),
  );
  c.scsi.forEach((d, i) => add('scsi', `disk${i}`, validatePath(d.path, 'virtual hard disk')));
  for (const n of c.network) {
    const page: SettingsPageId = `nic:${n.id}`;
    if (n.network !== null && n.network.trim() === '') add(page, 'network', 'Enter a network name, or choose Not connected.');
    if (n.macMode === 'static' && !MAC_RE.test(n.mac)) add(page, 'mac', 'A MAC address looks like 52:54:00:12:34:56 (lowercase hex).');
    if (n.vlanId !== null && !intIn(n.vlanId, 1, 4094)) add(page, 'vlan', 'A VLAN ID is from 1 to 4094.');
  }
  for (const p of c.com) {
    if (p.pipe !== null && p.pipe.trim() === '') add(p.port === 1 ? 'com1' : 'com2', 'pipe', 'Enter the named pipe path, or choose None.');
  }
  if (c.floppy !== null && c.floppy.trim() === '') add('diskette', 'floppy', 'Enter the virtual floppy disk path, or choose None.');
  add('name', 'name', validateVmName(c.name, ctx.otherNames));
  add('autoStart', 'delay', intIn(c.automaticStart.delaySec, 0, 86400) ? null : 'The delay is from 0 to 86400 seconds.');
  return out;
}

/** A locally administered, QEMU-style MAC for a new adapter (the engine may replace a dynamic one). */
export function randomMac(rand: () => number = Math.random): string {
  const bytes = [0x52, 0x54, 0x00, ...Array.from({ length: 3 }, () => Math.floor(rand() * 256))];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function newAdapterId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `nic-${Date.now().toString(36)}`;
}
