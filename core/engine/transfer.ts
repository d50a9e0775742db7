// Import / Export feature: export folders and Virtual PC / Virtual Server .vmc files.
import { stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_MANIFEST, ViridianError } from '../contract';
import { cliLine } from './cli-text';
import type { EngineFeature } from './context';
import { exportVm } from './transfer-export';
import { importExportFolder } from './transfer-import';
import { importVmc } from './transfer-vmc-import';

export const transferFeature: EngineFeature = (ctx, methods) => {
  methods.handle('transfer.export', async ({ vm: ref, path }) => {
    const vm = ctx.getVm(ref);
    if (vm.state !== 'Off' && vm.state !== 'Saved') {
      throw new ViridianError('INVALID_STATE', `"${vm.name}" can be exported only when it is Off or Saved; it is ${vm.state}.`, 'Save it or shut it down first.');
    }
    const dir = await ctx.confine(path);
    const st = await stat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new ViridianError('NOT_FOUND', `The folder ${dir} does not exist.`, 'Create it first, or choose another one.');
    if (existsSync(join(dir, vm.name))) throw new ViridianError('INVALID_INPUT', `${join(dir, vm.name)} already exists.`, 'Choose another folder, or move the old export away.');
    const before = vm.state;
    // While its files are copied the VM must not start (Migrating allows only Connect and Settings).
    vm.setState('Migrating', `Exporting to ${dir}`);
    const { job } = ctx.jobs.start(
      { kind: 'transfer.export', label: 'Export virtual machine', vmId: vm.id, vmName: vm.name, cli: cliLine('vm', 'export', vm.name, dir), cancellable: true },
      async (j) => {
        try {
          return await exportVm(vm, dir, j);
        } finally {
          vm.setState(before, before === 'Saved' ? 'Saved' : 'Turned off');
        }
      },
    );
    return job;
  });

  methods.handle('transfer.import', async ({ path, copy }) => {
    const src = await ctx.confine(path);
    const st = await stat(src).catch(() => null);
    if (!st) throw new ViridianError('NOT_FOUND', `${src} does not exist.`, 'Give an export folder or a .vmc file.');
    const isExport = st.isDirectory() && existsSync(join(src, EXPORT_MANIFEST));
    const isVmc = st.isFile() && /\.vmc$/i.test(src);
    if (!isExport && !isVmc) {
      throw new ViridianError('INVALID_INPUT', `${src} is neither a Viridian export folder (with ${EXPORT_MANIFEST}) nor a Virtual PC / Virtual Server .vmc file.`, 'Point at the folder an export created, or at a .vmc file.');
    }
    const args = ['vm', 'import', src, ...(copy ? ['--copy'] : [])];
    const { job } = ctx.jobs.start(
      { kind: 'transfer.import', label: isVmc ? 'Import Virtual PC / Virtual Server machine' : 'Import virtual machine', cli: cliLine(...args), cancellable: true },
      (j) => (isVmc ? importVmc(ctx, src, copy, j) : importExportFolder(ctx, src, copy, j)),
    );
    return job;
  });
};
