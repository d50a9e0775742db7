// VM Connection feature: console tickets, screen thumbnails, media, keys.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ViridianError, type Thumbnail, type VmConfig } from '../contract';
import type { QmpClient } from '../qemu/qmp';
import type { EngineFeature } from './context';
import { installGateway } from './consoles-gateway';
import { SPECIAL_KEYS, textToKeys } from './consoles-keys';
import type { VmInstance } from './vm-instance';

/** A thumbnail is reused for this long: many viewers, one screendump. */
const THUMB_CACHE_MS = 500;

function liveQmp(vm: VmInstance): QmpClient | null {
  const q = vm.qmpClient();
  return vm.processAlive && q && !q.closed ? q : null;
}

interface BlockInfo {
  qdev?: string;
  removable?: boolean;
}

export const consolesFeature: EngineFeature = (ctx, methods) => {
  const gateway = installGateway(ctx);
  const thumbs = new Map<string, { at: number; value: Promise<Thumbnail | null> }>();

  methods.handle('console.open', async ({ vm: ref, kind }) => {
    const vm = ctx.getVm(ref);
    if (!vm.processAlive || !vm.paths) {
      throw new ViridianError('INVALID_STATE', `"${vm.name}" is ${vm.state}; there is no screen to connect to.`, 'Start the VM; the connection opens when it runs.');
    }
    return gateway.issue(vm.id, kind);
  });

  methods.handle('console.thumbnail', async ({ vm: ref }) => {
    const vm = ctx.getVm(ref);
    const cached = thumbs.get(vm.id);
    if (cached && Date.now() - cached.at < THUMB_CACHE_MS) return cached.value;
    const value = (async (): Promise<Thumbnail | null> => {
      const qmp = liveQmp(vm);
      const paths = vm.paths;
      if (!qmp || !paths) return null;
      // The socket folder is private (0700) and short; the name is ours.
      const file = join(dirname(paths.qmp), `thumb-${randomBytes(4).toString('hex')}.png`);
      try {
        await qmp.execute('screendump', { filename: file, format: 'png' }, 5000);
        return { png: (await readFile(file)).toString('base64'), takenAt: new Date().toISOString() };
      } catch {
        return null; // the VM stopped meanwhile
      } finally {
        await rm(file, { force: true });
      }
    })();
    thumbs.set(vm.id, { at: Date.now(), value });
    return value;
  });

  methods.handle('console.media', async ({ vm: ref, drive, path }) => {
    const vm = ctx.getVm(ref);
    const file = path === null ? null : await ctx.confine(path);
    if (file && !existsSync(file)) throw new ViridianError('NOT_FOUND', `The image ${file} does not exist.`, 'Check the path.');
    const qmp = liveQmp(vm);
    if (drive === 'dvd') {
      let slot: { c: 0 | 1; u: 0 | 1 } | null = null;
      vm.config.ide.forEach((ctrl, c) => ctrl.forEach((s, u) => {
        if (!slot && s?.kind === 'dvd') slot = { c: c as 0 | 1, u: u as 0 | 1 };
      }));
      const found = slot as { c: 0 | 1; u: 0 | 1 } | null;
      if (!found) throw new ViridianError('INVALID_STATE', `"${vm.name}" has no DVD drive.`, 'Add one on an IDE controller in Settings (while the VM is off).');
      if (qmp) {
        const id = `ide${found.c}-${found.u}`;
        if (file) await qmp.execute('blockdev-change-medium', { id, filename: file, format: 'raw', 'read-only-mode': 'read-only' });
        else await qmp.execute('eject', { id, force: true });
      }
      const ide = vm.config.ide.map((ctrl) => [...ctrl]) as unknown as VmConfig['ide'];
      ide[found.c][found.u] = { kind: 'dvd', path: file };
      await vm.saveConfig({ ...vm.config, ide });
      return { drive, path: file };
    }
    if (vm.state === 'Saved' && (vm.config.floppy === null) !== (file === null)) {
      // The drive is there only when an image is set, and a saved state must find the same devices.
      throw new ViridianError('INVALID_STATE', `"${vm.name}" is saved ${vm.config.floppy === null ? 'without' : 'with'} a floppy drive; that cannot change until it runs again.`, 'Start the VM and change the disk while it runs, or delete the saved state.');
    }
    if (qmp) {
      const blocks = await qmp.execute<BlockInfo[]>('query-block');
      const floppy = blocks.find((b) => b.removable && b.qdev && !/ide/.test(b.qdev));
      if (!floppy?.qdev) {
        throw new ViridianError('INVALID_STATE', `"${vm.name}" was started without a floppy drive, so a disk cannot be inserted while it runs.`, 'Turn it off, set the diskette drive in Settings, and start it again.');
      }
      if (file) await qmp.execute('blockdev-change-medium', { id: floppy.qdev, filename: file, format: 'raw' });
      else await qmp.execute('eject', { id: floppy.qdev, force: true });
      // An ejected floppy keeps its drive until the VM is turned off: keep the setting's drive, empty.
      if (!file) return { drive, path: null };
    }
    await vm.saveConfig({ ...vm.config, floppy: file });
    return { drive, path: file };
  });

  methods.handle('console.typeText', async ({ vm: ref, text }) => {
    const vm = ctx.getVm(ref);
    const qmp = liveQmp(vm);
    if (!qmp) throw new ViridianError('INVALID_STATE', `"${vm.name}" is not running.`, 'Start it first.');
    const { combos } = textToKeys(text);
    for (const keys of combos) await qmp.execute('send-key', { keys: keys.map((data) => ({ type: 'qcode', data })), 'hold-time': 20 });
    return { typed: combos.length };
  });

  methods.handle('console.sendKeys', async ({ vm: ref, keys }) => {
    const vm = ctx.getVm(ref);
    const qmp = liveQmp(vm);
    if (!qmp) throw new ViridianError('INVALID_STATE', `"${vm.name}" is not running.`, 'Start it first.');
    await qmp.execute('send-key', { keys: SPECIAL_KEYS[keys].map((data) => ({ type: 'qcode', data })) });
    return { sent: true };
  });
};
