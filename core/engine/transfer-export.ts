// Export: an Off or Saved VM copied to <dir>/<VM name>/ with its settings,
// disks (those outside its folder go to disks/), snapshots and saved state.
// Every path inside the export is relative, so the folder can go anywhere.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { EXPORT_MANIFEST, ViridianError, vmDisks, type DiskAttachment, type ExportResult, type TransferNote, type VmConfig } from '../contract';
import { writeJsonAtomic } from '../common/atomic';
import type { JobContext } from './jobs';
import { RUNTIME_FILE, SAVED_DISCARD_PREFIX, SAVED_STATE, VM_FILE } from './runtime';
import { isQcow2, readBackingFile, rebaseUnsafe } from './snapshots-disks';
import { readTree, writeTree, type TreeFile } from './snapshots-tree';
import { copyAll, listTree, sizeOf, type CopyPlanItem } from './transfer-files';
import type { VmInstance } from './vm-instance';

export const ExportManifestSchema = z.object({
  format: z.literal('viridian-export'),
  version: z.literal(1),
  exportedAt: z.string(),
  vm: z.object({ id: z.string().uuid(), name: z.string() }),
  state: z.enum(['Off', 'Saved']),
  pausedAtSave: z.boolean(),
  /** Disks that lived outside the VM folder: where they were, where they are in the export. */
  external: z.array(z.object({ original: z.string(), file: z.string() })),
});
export type ExportManifest = z.infer<typeof ExportManifestSchema>;

/** Runtime files that mean nothing on another host (sockets, pid, logs) stay behind. */
export function isRuntimeLeftover(rel: string): boolean {
  const top = rel.split(sep)[0] ?? rel;
  return (
    top === 'run' ||
    top.startsWith(SAVED_DISCARD_PREFIX) ||
    rel === 'qemu.pid' ||
    rel === 'qemu.log' ||
    rel === 'serial.log' ||
    rel === RUNTIME_FILE ||
    rel === VM_FILE ||
    rel === EXPORT_MANIFEST ||
    rel.endsWith('.tmp') ||
    rel.endsWith('.partial') ||
    basename(rel).startsWith('.')
  );
}

function disksOf(config: VmConfig): DiskAttachment[] {
  return vmDisks(config);
}

/** Rewrites every disk path of a config with `map`. */
export function mapConfigDisks(config: VmConfig, map: (p: string) => string): VmConfig {
  return {
    ...config,
    ide: config.ide.map((ctrl) => ctrl.map((s) => (s?.kind === 'disk' ? { ...s, path: map(s.path) } : s))) as unknown as VmConfig['ide'],
    scsi: config.scsi.map((d) => ({ ...d, path: map(d.path) })),
  };
}

export async function exportVm(vm: VmInstance, parentDir: string, j: JobContext): Promise<ExportResult> {
  const folder = vm.folder;
  const dest = join(parentDir, vm.name);
  if (existsSync(dest)) throw new ViridianError('INVALID_INPUT', `${dest} already exists.`, 'Choose another folder, or move the old export away.');
  const staging = join(parentDir, `.${vm.name}.export-${randomBytes(4).toString('hex')}`);
  const notes: TransferNote[] = [];
  const inside = (p: string) => p.startsWith(folder + sep);

  const tree = await readTree(folder);
  // Every image the VM needs: Now's disks, every snapshot's, and whatever they are built on.
  const images = new Set<string>([...disksOf(vm.config).map((d) => d.path), ...tree.snapshots.flatMap((r) => Object.values(r.images).map((d) => d.path))]);
  for (const start of [...images]) {
    for (let p: string | null = start; p; ) {
      images.add(p);
      p = existsSync(p) ? await readBackingFile(p) : null;
    }
  }
  const missing = [...images].filter((p) => !existsSync(p));
  if (missing.length) throw new ViridianError('NOT_FOUND', `"${vm.name}" cannot be exported: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`, 'Restore the files first.');

  // Disks outside the folder go to disks/<name>, names kept unique.
  const external = new Map<string, string>();
  const usedNames = new Set<string>();
  for (const p of [...images].filter((x) => !inside(x)).sort()) {
    const ext = extname(p);
    let name = basename(p);
    for (let i = 2; usedNames.has(name.toLowerCase()); i++) name = `${basename(p, ext)} (${i})${ext}`;
    usedNames.add(name.toLowerCase());
    external.set(p, join('disks', name));
  }

  const plan: CopyPlanItem[] = [];
  for (const rel of await listTree(folder, isRuntimeLeftover)) plan.push({ from: join(folder, rel), to: join(staging, rel), size: await sizeOf(join(folder, rel)) });
  for (const [from, rel] of external) plan.push({ from, to: join(staging, rel), size: await sizeOf(from) });

  await mkdir(staging, { recursive: true });
  try {
    j.step(`Copying ${plan.length} file${plan.length === 1 ? '' : 's'}`);
    const bytes = await copyAll(plan, j.signal, (pct) => j.progress(pct, 'Copying files'));

    // Paths: inside the export, relative to its root.
    const toExport = (p: string): string => (inside(p) ? relative(folder, p) : (external.get(p) ?? p));
    const toStaging = (p: string): string => join(staging, toExport(p));
    // Images that named an outside disk by its absolute path now name the copy.
    for (const p of images) {
      const copy = toStaging(p);
      if (!(await isQcow2(copy))) continue;
      const backing = await readBackingFile(copy);
      // Absolute names of the old places (outside disks, or the VM folder itself) become relative ones.
      const target = backing === null ? null : external.has(backing) ? join(staging, external.get(backing) ?? '') : inside(backing) ? join(staging, relative(folder, backing)) : null;
      if (target) await rebaseUnsafe(copy, target, (await isQcow2(target)) ? 'qcow2' : 'raw', staging);
    }
    const exportedTree: TreeFile = {
      ...tree,
      snapshots: tree.snapshots.map((r) => ({
        ...r,
        images: Object.fromEntries(Object.entries(r.images).map(([s, d]) => [s, { ...d, path: toStaging(d.path) }])),
        config: mapConfigDisks(r.config, toExport),
      })),
    };
    if (tree.snapshots.length) await writeTree(staging, exportedTree);
    await writeJsonAtomic(join(staging, VM_FILE), mapConfigDisks(vm.config, toExport));
    const manifest: ExportManifest = {
      format: 'viridian-export',
      version: 1,
      exportedAt: new Date().toISOString(),
      vm: { id: vm.id, name: vm.name },
      state: vm.state === 'Saved' || existsSync(join(folder, SAVED_STATE)) ? 'Saved' : 'Off',
      pausedAtSave: vm.pausedAtSave,
      external: [...external].map(([original, file]) => ({ original, file })),
    };
    await writeJsonAtomic(join(staging, EXPORT_MANIFEST), manifest);

    for (const [original, file] of external) notes.push({ level: 'info', text: `The disk ${original} was copied to ${file}.` });
    const c = vm.config;
    for (const ref of [...c.ide.flat().filter((s) => s?.kind === 'dvd').map((s) => s?.path ?? null), c.floppy, c.kernel?.path ?? null, c.kernel?.initrd ?? null]) {
      if (ref) notes.push({ level: 'info', text: `${ref} is not part of the export; the VM keeps referring to it by its path.` });
    }
    if (manifest.state === 'Saved') notes.push({ level: 'info', text: 'The saved state was exported: the VM resumes where it was after import.' });
    const shown = tree.snapshots.filter((r) => !r.hidden).length;
    if (shown > 0) notes.push({ level: 'info', text: shown === 1 ? '1 snapshot was exported.' : `${shown} snapshots were exported.` });
    await rename(staging, dest);
    return { folder: dest, files: plan.length + 2, bytes, notes };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
