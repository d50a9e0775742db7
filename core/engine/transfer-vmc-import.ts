// Import of a Virtual PC / Virtual Server .vmc machine with its .vhd disks.
// Dynamic and differencing VHDs are converted to qcow2 (QEMU cannot save or
// snapshot a VM while one is open); fixed VHDs run as they are.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, win32 } from 'node:path';
import {
  CONFIG_SCHEMA_VERSION,
  MIN_MEMORY_MIB,
  ViridianError,
  defaultIntegration,
  migrateConfig,
  type DiskAttachment,
  type DvdAttachment,
  type IdeSlot,
  type ImportResult,
  type NetworkAdapter,
  type ScsiDisk,
  type TransferNote,
  type VmConfig,
} from '../contract';
import { writeJsonAtomic } from '../common/atomic';
import { convertDisk, inspectDisk } from '../storage/qemu-img';
import type { EngineContext } from './context';
import type { JobContext } from './jobs';
import { RUNTIME_FILE, VM_FILE } from './runtime';
import { copyOne } from './transfer-files';
import { freeName, hostAdapters } from './transfer-import';
import { decodeVmc, parseVmc, vmcMac, vmcName, type VmcDrive } from './transfer-vmc';
import { VmInstance } from './vm-instance';

/** Case-insensitive lookup of a Windows-style relative path below `dir` (Windows paths ignore case). */
async function findRelative(dir: string, windowsRel: string): Promise<string | null> {
  const parts = windowsRel.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  let cur = dir;
  for (const part of parts) {
    if (part === '..') {
      cur = dirname(cur);
      continue;
    }
    const exact = join(cur, part);
    if (existsSync(exact)) {
      cur = exact;
      continue;
    }
    const entries = await readdir(cur).catch(() => [] as string[]);
    const hit = entries.find((e) => e.toLowerCase() === part.toLowerCase());
    if (!hit) return null;
    cur = join(cur, hit);
  }
  return cur === dir ? null : cur;
}

/** Where a file named in the .vmc is on this host: its absolute path, its relative path, or its name beside the .vmc. */
async function locate(vmcDir: string, absolute: string | null, relative: string | null): Promise<{ path: string; how: string } | null> {
  if (absolute && !/^[a-z]:[\\/]|^\\\\/i.test(absolute) && existsSync(absolute)) return { path: absolute, how: 'at its absolute path' };
  if (absolute && process.platform === 'win32' && existsSync(absolute)) return { path: absolute, how: 'at its absolute path' };
  if (relative) {
    const r = await findRelative(vmcDir, relative);
    if (r) return { path: r, how: `by its relative path ${relative}` };
  }
  for (const ref of [absolute, relative]) {
    if (!ref) continue;
    const r = await findRelative(vmcDir, win32.basename(ref));
    if (r) return { path: r, how: 'beside the .vmc file, by its file name' };
  }
  return null;
}

function where(d: VmcDrive): string {
  return d.bus === 'ide' ? `IDE ${d.controller}:${d.location}` : `SCSI ${d.controller}:${d.location}`;
}

export async function importVmc(ctx: EngineContext, file: string, copy: boolean, j: JobContext): Promise<ImportResult> {
  const notes: TransferNote[] = [];
  const machine = parseVmc(decodeVmc(await readFile(file)));
  const vmcDir = dirname(file);
  const base = vmcName(basename(file, extname(file)));
  const name = freeName(ctx, base);
  if (name !== base) notes.push({ level: 'warning', text: `A VM named "${base}" already exists; the imported one is named "${name}".` });

  let memoryMiB = machine.memoryMiB ?? 0;
  if (machine.memoryMiB === null) {
    memoryMiB = 256;
    notes.push({ level: 'warning', text: 'The .vmc names no memory size (hardware/memory/ram_size); the VM gets 256 MB.' });
  } else if (memoryMiB < MIN_MEMORY_MIB) {
    notes.push({ level: 'warning', text: `The memory size ${memoryMiB} MB is below the minimum; the VM gets ${MIN_MEMORY_MIB} MB.` });
    memoryMiB = MIN_MEMORY_MIB;
  } else if (memoryMiB > ctx.host().maxVmMemoryMiB) {
    notes.push({ level: 'warning', text: `${memoryMiB} MB is more than this host can give a VM; the VM gets ${ctx.host().maxVmMemoryMiB} MB.` });
    memoryMiB = ctx.host().maxVmMemoryMiB;
  }

  const id = randomUUID();
  const folder = join(ctx.dataDir, 'vms', id);
  const staging = join(ctx.dataDir, 'vms', `.import-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    const ide: [[IdeSlot, IdeSlot], [IdeSlot, IdeSlot]] = [
      [null, null],
      [null, null],
    ];
    const scsi: ScsiDisk[] = [];
    const usedNames = new Set<string>();
    const hardDisks = machine.drives.filter((d) => d.driveType === 1);
    let diskNo = 0;
    for (const d of machine.drives) {
      const slot = where(d);
      if (d.bus === 'ide' && (d.controller > 1 || d.location > 1)) {
        notes.push({ level: 'error', text: `${slot} does not exist on this VM (two IDE controllers with two devices each); the drive there was not imported.` });
        continue;
      }
      if (d.driveType === 2) {
        if (d.bus !== 'ide') {
          notes.push({ level: 'warning', text: `The CD/DVD drive on ${slot} was not imported: DVD drives are on IDE here.` });
          continue;
        }
        let path: string | null = null;
        if (d.absolute || d.relative) {
          const found = await locate(vmcDir, d.absolute, d.relative);
          if (found) {
            path = await ctx.confine(found.path).catch(() => null);
            notes.push(path ? { level: 'info', text: `${slot}: the DVD image ${found.path} was found ${found.how} and is inserted.` } : { level: 'warning', text: `${slot}: the DVD image ${found.path} is outside the storage roots; the drive is empty.` });
          } else {
            notes.push({ level: 'warning', text: `${slot}: the DVD image ${d.absolute ?? d.relative} was not found; the drive is empty.` });
          }
        }
        (ide[d.controller as 0 | 1] as [IdeSlot, IdeSlot])[d.location as 0 | 1] = { kind: 'dvd', path } satisfies DvdAttachment;
        continue;
      }
      if (d.driveType !== 1) {
        if (d.driveType !== null || d.absolute || d.relative) notes.push({ level: 'warning', text: `${slot}: drive type ${d.driveType ?? '(missing)'} is not a hard disk or DVD; it was not imported.` });
        continue;
      }
      diskNo++;
      if (d.undoAbsolute || d.undoRelative) notes.push({ level: 'warning', text: `${slot}: the undo disk ${d.undoAbsolute ?? d.undoRelative} was not applied; the disk is imported as it was before the undo changes.` });
      if (!d.absolute && !d.relative) {
        notes.push({ level: 'error', text: `${slot}: the hard disk has no path in the .vmc; nothing was attached.` });
        continue;
      }
      const found = await locate(vmcDir, d.absolute, d.relative);
      if (!found) {
        notes.push({ level: 'error', text: `${slot}: the hard disk ${d.absolute ?? ''}${d.absolute && d.relative ? ' / ' : ''}${d.relative ?? ''} was not found (tried its absolute path, its relative path and its file name beside the .vmc); nothing was attached.` });
        continue;
      }
      const src = await ctx.confine(found.path).catch(() => null);
      if (!src) {
        notes.push({ level: 'error', text: `${slot}: ${found.path} is outside the storage roots; nothing was attached.` });
        continue;
      }
      let att: DiskAttachment;
      try {
        const info = await inspectDisk(src);
        const stem = basename(src, extname(src));
        let fileName = stem;
        for (let i = 2; usedNames.has(fileName.toLowerCase()); i++) fileName = `${stem} (${i})`;
        usedNames.add(fileName.toLowerCase());
        if (info.format === 'vpc' && info.type === 'fixed') {
          if (copy) {
            j.step(`Copying ${src}`);
            const to = join(staging, `${fileName}${extname(src)}`);
            await copyOne(src, to);
            att = { kind: 'disk', path: join(folder, basename(to)), format: 'vpc', type: 'fixed', virtualSize: info.virtualSize, readOnly: false };
            notes.push({ level: 'info', text: `${slot}: the fixed VHD ${src} (found ${found.how}) was copied into the VM's folder.` });
          } else {
            att = { kind: 'disk', path: src, format: 'vpc', type: 'fixed', virtualSize: info.virtualSize, readOnly: false };
            notes.push({ level: 'info', text: `${slot}: the fixed VHD ${src} (found ${found.how}) is used in place.` });
          }
        } else {
          j.step(`Converting ${src} to qcow2`);
          const to = join(staging, `${fileName}.qcow2`);
          const span = (pct: number) => j.progress(((diskNo - 1 + pct / 100) / hardDisks.length) * 100, `Converting ${basename(src)}`);
          await convertDisk(src, to, { format: 'qcow2', type: 'dynamic' }, { signal: j.signal, onProgress: span });
          att = { kind: 'disk', path: join(folder, basename(to)), format: 'qcow2', type: 'dynamic', virtualSize: info.virtualSize, readOnly: false };
          const kind = info.format === 'vpc' ? `${info.type} VHD` : info.format;
          notes.push({ level: 'info', text: `${slot}: the ${kind} ${src} (found ${found.how}) was converted to qcow2 in the VM's folder (the original is unchanged), so the VM can save and take snapshots.` });
        }
      } catch (err) {
        notes.push({ level: 'error', text: `${slot}: ${src} could not be imported: ${(err as Error).message}` });
        continue;
      }
      if (d.bus === 'ide') (ide[d.controller as 0 | 1] as [IdeSlot, IdeSlot])[d.location as 0 | 1] = att;
      else {
        const lun = d.controller * 8 + d.location;
        scsi.push({ ...att, lun });
        notes.push({ level: 'info', text: `${slot} is LUN ${lun} of the synthetic SCSI controller.` });
      }
    }
    if (!hardDisks.length) notes.push({ level: 'warning', text: 'The .vmc names no hard disk.' });

    const adapters: NetworkAdapter[] = machine.nics.map((n, i) => {
      const mac = vmcMac(n.mac);
      if (!mac) notes.push({ level: 'warning', text: `Network adapter ${n.id}: the MAC address ${n.mac ? `"${n.mac}" is not 12 hex digits` : 'is missing'}; it gets a dynamic address.` });
      return { id: `nic${i}`, kind: 'legacy', network: n.network, macMode: mac ? 'static' : 'dynamic', mac: mac ?? '00:00:00:00:00:00', vlanId: null };
    });
    const network = await hostAdapters(ctx, id, adapters, false, notes);
    for (const [i, n] of network.entries()) {
      notes.push({ level: 'info', text: `Network adapter ${machine.nics[i]?.id ?? i} is a legacy adapter (DEC 21140, as Virtual PC emulated) with MAC ${n.mac}${n.network ? '' : ', not connected'}.` });
    }

    let floppy: string | null = null;
    if (machine.floppy) {
      const found = await locate(vmcDir, machine.floppy.absolute, machine.floppy.relative);
      floppy = found ? await ctx.confine(found.path).catch(() => null) : null;
      notes.push(floppy ? { level: 'info', text: `The floppy image ${floppy} is inserted.` } : { level: 'warning', text: `The floppy image ${machine.floppy.absolute ?? machine.floppy.relative} was not found; the drive is empty.` });
    }
    let notesText = machine.notes ?? '';
    if (notesText.length > 10_000) {
      notes.push({ level: 'warning', text: `The notes are ${notesText.length} characters long; the first 10,000 were kept.` });
      notesText = notesText.slice(0, 10_000);
    }
    const guestOs = machine.guestOs && /win/i.test(machine.guestOs) ? 'windows' : 'other';
    if (machine.guestOs) notes.push({ level: 'info', text: `Guest operating system "${machine.guestOs}" → ${guestOs}.` });

    const config: VmConfig = migrateConfig({
      schemaVersion: CONFIG_SCHEMA_VERSION,
      id,
      name,
      memoryMiB,
      processor: { count: 1 },
      bios: { bootOrder: ['cd', 'ide', 'net', 'floppy'] },
      ide,
      scsi,
      floppy,
      network,
      notes: notesText,
      integration: defaultIntegration(),
      automaticStart: {},
      automaticStop: {},
      guestOs,
      createdAt: new Date().toISOString(),
    });
    await writeJsonAtomic(join(staging, VM_FILE), config);
    await writeJsonAtomic(join(staging, RUNTIME_FILE), { ...VmInstance.runtimeOff(), reason: 'Imported from Virtual PC / Virtual Server' });
    await rename(staging, folder);
    notes.push(...machine.notesReport);
    const vm = new VmInstance(folder, config, { ...VmInstance.runtimeOff(), reason: 'Imported from Virtual PC / Virtual Server' }, ctx.vmHost);
    ctx.addVm(vm);
    notes.unshift({ level: 'info', text: `Imported "${name}" from ${file}: ${memoryMiB} MB, 1 processor.` });
    return { vm: vm.summary(), source: 'vmc', notes };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (err instanceof ViridianError) throw err;
    throw new ViridianError('INTERNAL', `Internal error while importing ${file}: ${(err as Error).message}`);
  }
}
