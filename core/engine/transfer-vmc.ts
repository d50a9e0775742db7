// Virtual PC / Virtual Server 2005 .vmc files: decoding (UTF-16 with BOM, or
// re-encoded UTF-8 with the UTF-16 declaration left in) and reading the
// machine out of the XML. Every value element the importer does not use is
// reported with its path, so nothing is dropped silently.
import { XMLParser } from 'fast-xml-parser';
import { ViridianError, type TransferNote } from '../contract';

/** UTF-16LE/BE by BOM, UTF-8 by BOM, else sniffed from zero bytes. */
export function decodeVmc(bytes: Buffer): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) text = bytes.subarray(3).toString('utf8');
  else if (bytes.length >= 4 && bytes[1] === 0 && bytes[3] === 0) text = bytes.toString('utf16le');
  else if (bytes.length >= 4 && bytes[0] === 0 && bytes[2] === 0) text = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  else text = bytes.toString('utf8');
  return text.replace(/^\uFEFF/, '');
}

export interface VmcDrive {
  bus: 'ide' | 'scsi';
  controller: number;
  location: number;
  /** 1 = hard disk, 2 = CD/DVD; anything else is reported. */
  driveType: number | null;
  absolute: string | null;
  relative: string | null;
  undoAbsolute: string | null;
  undoRelative: string | null;
}

export interface VmcNic {
  id: string;
  /** 12 hex digits as written (no separators), or null when missing/redacted. */
  mac: string | null;
  network: string | null;
}

export interface VmcMachine {
  memoryMiB: number | null;
  drives: VmcDrive[];
  nics: VmcNic[];
  floppy: { absolute: string | null; relative: string | null } | null;
  notes: string | null;
  guestOs: string | null;
  /** Lines about what was not carried over (unknown or unsupported elements). */
  notesReport: TransferNote[];
}

type XNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

const childNames = (n: XNode) => Object.keys(n).filter((k) => k !== '#text' && !k.startsWith('@'));
const kids = (n: XNode | undefined, name: string): XNode[] => (n && Array.isArray(n[name]) ? (n[name] as XNode[]) : []);
const kid = (n: XNode | undefined, name: string): XNode | undefined => kids(n, name)[0];
const text = (n: XNode | undefined): string | null => {
  if (!n) return null;
  const t = n['#text'];
  return typeof t === 'string' || typeof t === 'number' ? String(t) : '';
};

/** Path segment: element name plus its id attribute when it has one (ide_controller[0]). */
const seg = (name: string, n: XNode) => (typeof n['@id'] === 'string' ? `${name}[${n['@id']}]` : name);

/** Every value element (no element children) with its path. */
function leaves(n: XNode, path: string, out: Map<string, string>): void {
  const names = childNames(n);
  if (names.length === 0) {
    out.set(path, text(n) ?? '');
    return;
  }
  for (const name of names) for (const c of kids(n, name)) leaves(c, `${path}/${seg(name, c)}`, out);
}

/** Why a known element is not carried over (by path prefix, most specific first). */
const EXPLAINED: readonly [RegExp, TransferNote['level'], (path: string, value: string) => string][] = [
  [/\/settings\/configuration\/saved_state\//, 'warning', (_p, v) => `The Virtual PC saved state${v ? ` (${v})` : ''} cannot be carried over: the VM starts from its disks (like after a power cut).`],
  [/\/settings\/undo_drives\//, 'warning', (p, v) => `Undo disks setting ${leafName(p)} = "${v}" is not carried over; use snapshots instead.`],
  [/\/hardware\/bios\//, 'info', (p) => `BIOS setting ${leafName(p)} is not carried over (the VM gets its own BIOS identity and CMOS).`],
  [/\/video_adapter\//, 'info', (p, v) => `Video setting ${leafName(p)} = "${v}" is not carried over (the VM has standard VGA).`],
  [/\/integration\//, 'info', (p, v) => `Virtual Machine Additions setting ${p.replace(/^.*\/integration\//, '')} = "${v}" is not carried over (set Integration Services in Settings).`],
  [/\/hw_assist\//, 'info', (p, v) => `Hardware-assisted virtualization (${leafName(p)} = "${v}") is chosen by the host automatically.`],
  [/\/settings\/shutdown\//, 'info', (p, v) => `Close action ${p.replace(/^.*\/settings\/shutdown\//, '')} = "${v}" is not carried over (set Automatic Stop Action in Settings).`],
  [/\/settings\/startup\//, 'info', (p, v) => `Startup setting ${p.replace(/^.*\/settings\/startup\//, '')} = "${v}" is not carried over (set Automatic Start Action in Settings).`],
  [/\/super_io\/(serial_port|parallel_port)/, 'warning', (p, v) => `${/serial/.test(p) ? 'Serial' : 'Parallel'} port setting ${p.replace(/^.*\/super_io\//, '')} = "${v}" is not carried over (set COM ports in Settings).`],
  [/\/(sound|audio)/, 'info', (p) => `Sound setting ${leafName(p)} is not carried over (no sound device).`],
];

function leafName(path: string): string {
  return path.split('/').slice(-2).join('/');
}

function intOrNull(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v.trim());
  return Number.isInteger(n) ? n : null;
}
const nonEmpty = (v: string | null) => (v && v.trim() !== '' ? v.trim() : null);

/** Reads a .vmc document. Throws INVALID_INPUT when it is not one. */
export function parseVmc(xml: string): VmcMachine {
  let doc: XNode;
  try {
    doc = parser.parse(xml, true) as XNode;
  } catch (err) {
    throw new ViridianError('INVALID_INPUT', `The .vmc file is not well-formed XML: ${(err as Error).message.split('\n')[0]}`, 'Check that it is a Virtual PC / Virtual Server configuration file.');
  }
  const root = kid(doc, 'preferences');
  if (!root) throw new ViridianError('INVALID_INPUT', 'The file is XML but not a Virtual PC / Virtual Server configuration: its root element is not <preferences>.');

  const all = new Map<string, string>();
  leaves(root, 'preferences', all);
  const used = new Set<string>();
  const take = (path: string): string | null => {
    if (!all.has(path)) return null;
    used.add(path);
    return all.get(path) ?? null;
  };

  const hardware = kid(root, 'hardware');
  const memoryMiB = intOrNull(take('preferences/hardware/memory/ram_size'));

  const drives: VmcDrive[] = [];
  const pciBus = kid(hardware, 'pci_bus');
  const readBus = (bus: 'ide' | 'scsi') => {
    for (const adapter of kids(pciBus, `${bus}_adapter`)) {
      const aPath = `preferences/hardware/pci_bus/${seg(`${bus}_adapter`, adapter)}`;
      for (const ctrl of kids(adapter, `${bus}_controller`)) {
        const cPath = `${aPath}/${seg(`${bus}_controller`, ctrl)}`;
        for (const loc of kids(ctrl, 'location')) {
          const lPath = `${cPath}/${seg('location', loc)}`;
          drives.push({
            bus,
            controller: Number(ctrl['@id'] ?? 0),
            location: Number(loc['@id'] ?? 0),
            driveType: intOrNull(take(`${lPath}/drive_type`)),
            absolute: nonEmpty(take(`${lPath}/pathname/absolute`)),
            relative: nonEmpty(take(`${lPath}/pathname/relative`)),
            undoAbsolute: nonEmpty(take(`${lPath}/undo_pathname/absolute`)),
            undoRelative: nonEmpty(take(`${lPath}/undo_pathname/relative`)),
          });
        }
      }
    }
  };
  readBus('ide');
  readBus('scsi');

  const nics: VmcNic[] = [];
  for (const adapter of kids(pciBus, 'ethernet_adapter')) {
    const aPath = `preferences/hardware/pci_bus/${seg('ethernet_adapter', adapter)}`;
    take(`${aPath}/controller_count`);
    for (const c of kids(adapter, 'ethernet_controller')) {
      const cPath = `${aPath}/${seg('ethernet_controller', c)}`;
      const mac = nonEmpty(take(`${cPath}/ethernet_card_address`));
      take(`${cPath}/virtual_network/id`);
      nics.push({ id: typeof c['@id'] === 'string' ? c['@id'] : String(nics.length), mac, network: nonEmpty(take(`${cPath}/virtual_network/name`)) });
    }
  }

  let floppy: VmcMachine['floppy'] = null;
  const superIo = kid(hardware, 'super_io');
  for (const name of superIo ? childNames(superIo) : []) {
    if (!name.startsWith('floppy')) continue;
    for (const f of kids(superIo, name)) {
      const fPath = `preferences/hardware/super_io/${seg(name, f)}`;
      const absolute = nonEmpty(take(`${fPath}/pathname/absolute`));
      const relative = nonEmpty(take(`${fPath}/pathname/relative`));
      if ((absolute || relative) && !floppy) floppy = { absolute, relative };
    }
  }

  const notes = take('preferences/settings/notes');
  const guestOs = nonEmpty(take('preferences/settings/guest_os'));

  const notesReport: TransferNote[] = [];
  for (const [path, value] of all) {
    // Empty elements (and attribute-only containers) carry nothing to lose.
    if (used.has(path) || value.trim() === '') continue;
    const explained = EXPLAINED.find(([re]) => re.test(path));
    if (explained) notesReport.push({ level: explained[1], text: explained[2](path, shorten(value)) });
    else notesReport.push({ level: 'warning', text: `Not carried over (unknown to the importer): ${path.replace(/^preferences\//, '')} = "${shorten(value)}"` });
  }
  return { memoryMiB, drives, nics, floppy, notes, guestOs, notesReport };
}

function shorten(v: string): string {
  return v.length > 80 ? `${v.slice(0, 77)}…` : v;
}

/** "0003FFA1B2C3" → "00:03:ff:a1:b2:c3", or null when it is not 12 hex digits. */
export function vmcMac(raw: string | null): string | null {
  if (!raw) return null;
  const hex = raw.replace(/[-:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return null;
  return (hex.match(/../g) ?? []).join(':');
}

/** A usable VM name from the file name (characters names may not hold become "_"). */
export function vmcName(fileBase: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are refused in names
  const cleaned = fileBase.replace(/[/\\:*?"<>|\u0000-\u001f\u007f]/g, '_').trim().slice(0, 100);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'Imported VM' : cleaned;
}
