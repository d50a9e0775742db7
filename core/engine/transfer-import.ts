// Import of an export folder: as a copy (new id, new MAC addresses, files
// copied, the export stays importable) or in place (same id, the folder is
// moved into the data folder when it is on the same file system).
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  EXPORT_MANIFEST,
  ViridianError,
  migrateConfig,
  type ImportResult,
  type NetworkAdapter,
  type TransferNote,
  type VmConfig,
} from '../contract';
import { readJsonFile, writeJsonAtomic } from '../common/atomic';
import type { EngineContext } from './context';
import type { JobContext } from './jobs';
import { networksFor } from './networks-store';
import { RUNTIME_FILE, SAVED_STATE, VM_FILE, type RuntimeFile } from './runtime';
import { readBackingFile } from './snapshots-disks';
import { diskSlots, readTree, writeTree } from './snapshots-tree';
import { ExportManifestSchema, mapConfigDisks } from './transfer-export';
import { copyAll, listTree, sizeOf } from './transfer-files';
import { VmInstance, isCompleteStateFile } from './vm-instance';

/** "Name", else "Name (2)", "Name (3)"… whichever is free on this host. */
export function freeName(ctx: EngineContext, name: string): string {
  if (!ctx.nameTaken(name)) return name;
  for (let i = 2; ; i++) {
    const suffix = ` (${i})`;
    const candidate = `${name.slice(0, 100 - suffix.length)}${suffix}`;
    if (!ctx.nameTaken(candidate)) return candidate;
  }
}

/**
 * Adapters as this host can take them: networks that do not exist here are
 * disconnected, MAC addresses that clash (or all, for a copy) come from the pool.
 */
export async function hostAdapters(ctx: EngineContext, vmId: string, adapters: NetworkAdapter[], freshMacs: boolean, notes: TransferNote[]): Promise<NetworkAdapter[]> {
  const store = networksFor(ctx);
  const wanted = adapters.map((a) => (freshMacs ? { ...a, macMode: 'dynamic' as const, mac: '00:00:00:00:00:00' } : a));
  try {
    // In place, the adapters' own addresses are kept when nobody else has them.
    return await store.normalizeAdapters(vmId, freshMacs ? [] : adapters, wanted);
  } catch {
    // Find out adapter by adapter what does not fit.
  }
  const out: NetworkAdapter[] = [];
  for (const a of wanted) {
    let candidate = a;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const [ok] = await store.normalizeAdapters(vmId, [], [...out, candidate]).then((all) => all.slice(-1));
        if (ok) out.push(ok);
        break;
      } catch (err) {
        const msg = (err as Error).message;
        if (candidate.network !== null && /network/i.test(msg) && !/MAC/.test(msg)) {
          notes.push({ level: 'warning', text: `Network adapter ${a.id} was connected to "${candidate.network}", which does not exist here; it is not connected now (${msg})` });
          candidate = { ...candidate, network: null };
        } else if (candidate.macMode === 'static') {
          notes.push({ level: 'warning', text: `Network adapter ${a.id}: the MAC address ${candidate.mac} cannot be used here (${msg}); it gets a dynamic address.` });
          candidate = { ...candidate, macMode: 'dynamic' };
        } else {
          throw err;
        }
      }
    }
  }
  return out;
}

async function readExport(dir: string) {
  const manifest = ExportManifestSchema.safeParse(await readJsonFile(join(dir, EXPORT_MANIFEST)));
  if (!manifest.success) {
    throw new ViridianError('INVALID_INPUT', `${join(dir, EXPORT_MANIFEST)} is not a Viridian export manifest.`, 'Point at the folder an export created (it holds viridian-export.json and vm.json).');
  }
  const config = migrateConfig(await readJsonFile(join(dir, VM_FILE)));
  return { manifest: manifest.data, config };
}

export async function importExportFolder(ctx: EngineContext, dir: string, copy: boolean, j: JobContext): Promise<ImportResult> {
  const notes: TransferNote[] = [];
  const { manifest, config: exported } = await readExport(dir);
  const id = copy ? randomUUID() : manifest.vm.id;
  if (!copy) {
    for (const vm of ctx.vms()) {
      if (vm.id === id) {
        throw new ViridianError('INVALID_STATE', `This host already has the VM "${vm.name}" with the id of the export (${id}).`, 'Import it as a copy (--copy) to get a new id, or delete the existing VM first.');
      }
    }
  }
  const name = freeName(ctx, exported.name);
  if (name !== exported.name) notes.push({ level: 'warning', text: `A VM named "${exported.name}" already exists; the imported one is named "${name}".` });
  const folder = join(ctx.dataDir, 'vms', id);
  if (existsSync(folder)) throw new ViridianError('INVALID_STATE', `The folder ${folder} already exists.`, 'Import as a copy (--copy).');

  // Staged under a dot name: the engine never loads a half-imported VM.
  const staging = join(ctx.dataDir, 'vms', `.import-${randomBytes(4).toString('hex')}`);
  let moved = false;
  if (!copy) {
    try {
      await rename(dir, staging);
      moved = true;
      notes.push({ level: 'info', text: `The export folder ${dir} was moved into the data folder (in place: no copy was made).` });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      notes.push({ level: 'info', text: `${dir} is on another file system, so its files were copied; the export folder is unchanged.` });
    }
  }
  try {
    if (!moved) {
      await mkdir(staging, { recursive: true });
      const files = await listTree(dir);
      const plan = await Promise.all(files.map(async (rel) => ({ from: join(dir, rel), to: join(staging, rel), size: await sizeOf(join(dir, rel)) })));
      j.step(`Copying ${plan.length} file${plan.length === 1 ? '' : 's'}`);
      await copyAll(plan, j.signal, (pct) => j.progress(pct, 'Copying files'));
    }
    await rm(join(staging, EXPORT_MANIFEST), { force: true });

    // Paths in the export are relative to it; on this host they are absolute, under the VM's folder.
    const abs = (p: string) => (isAbsolute(p) ? p : resolve(folder, p));
    const network = await hostAdapters(ctx, id, exported.network, copy, notes);
    if (copy && exported.network.length) notes.push({ level: 'info', text: `The copy has new MAC addresses: ${network.map((n) => n.mac).join(', ')}.` });
    const macById = new Map(network.map((n) => [n.id, n]));
    const config: VmConfig = migrateConfig({ ...mapConfigDisks(exported, abs), id, name, network });

    const tree = await readTree(staging);
    if (tree.snapshots.length) {
      // Image paths stay relative to the folder; the settings kept with each snapshot get this host's paths and MACs.
      for (const r of tree.snapshots) r.config = { ...mapConfigDisks(r.config, abs), id, network: r.config.network.map((n) => macById.get(n.id) ?? n) };
      await writeTree(staging, tree);
    }
    await writeJsonAtomic(join(staging, VM_FILE), config);
    const saved = manifest.state === 'Saved' && (await isCompleteStateFile(join(staging, SAVED_STATE)));
    if (manifest.state === 'Saved' && !saved) notes.push({ level: 'warning', text: 'The export says the VM was saved, but its saved state is missing or incomplete; the VM is Off.' });
    if (saved && copy && exported.network.length) notes.push({ level: 'warning', text: 'The saved state still holds the old MAC addresses; the guest uses the new ones after it restarts.' });
    const now = new Date().toISOString();
    const runtime: RuntimeFile = { ...VmInstance.runtimeOff(), state: saved ? 'Saved' : 'Off', reason: saved ? 'Saved' : 'Imported', since: now, pausedAtSave: saved && manifest.pausedAtSave };
    await writeJsonAtomic(join(staging, RUNTIME_FILE), runtime);
    await rename(staging, folder);
  } catch (err) {
    if (moved) await rename(staging, dir).catch(() => undefined);
    else await rm(staging, { recursive: true, force: true });
    throw err;
  }

  const config = migrateConfig(await readJsonFile(join(folder, VM_FILE)));
  const runtime = (await readJsonFile(join(folder, RUNTIME_FILE))) as RuntimeFile;
  await checkChains(folder, config, notes);
  const vm = new VmInstance(folder, config, runtime, ctx.vmHost);
  ctx.addVm(vm);
  notes.push({ level: 'info', text: `Imported "${name}" (${id}) ${copy ? 'as a copy' : 'with its id'}${manifest.state === 'Saved' ? ', saved' : ''}.` });
  return { vm: vm.summary(), source: 'export', notes };
}

/** Every disk and its parents exist, or the report says which do not. */
async function checkChains(folder: string, config: VmConfig, notes: TransferNote[]): Promise<void> {
  const tree = await readTree(folder);
  const starts = [...[...diskSlots(config).values()].map((d) => d.path), ...tree.snapshots.flatMap((r) => Object.values(r.images).map((d) => d.path))];
  const seen = new Set<string>();
  for (const s of starts) {
    for (let p: string | null = s; p && !seen.has(p); ) {
      seen.add(p);
      if (!existsSync(p)) {
        notes.push({ level: 'error', text: `The disk ${p} is missing; the VM cannot start until it is restored.` });
        break;
      }
      p = await readBackingFile(p);
    }
  }
}
