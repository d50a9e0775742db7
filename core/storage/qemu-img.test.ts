import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertDisk, createDisk, findQemuImg, inspectDisk, parseProgress, type CreateDiskOptions } from './qemu-img';
import { VHD_MAX_BYTES, ViridianError, type DiskInfo } from '../contract';

const MiB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'viridian-qemu-img-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<ViridianError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ViridianError);
  return err as ViridianError;
}

/** Only the named files remain: no temp or partial outputs. */
async function expectOnly(names: string[]): Promise<void> {
  expect((await readdir(dir)).sort()).toEqual([...names].sort());
}

async function create(name: string, o: Omit<CreateDiskOptions, 'path'>): Promise<DiskInfo> {
  return createDisk({ path: join(dir, name), ...o });
}

// --- Helpers that turn qemu-made images into Hyper-V style differencing disks
// (qemu-img cannot write those, but Hyper-V users will bring them).

function vhdChecksum(b: Buffer, at: number): number {
  let sum = 0;
  for (let i = 0; i < b.length; i++) if (i < at || i >= at + 4) sum = (sum + (b[i] ?? 0)) >>> 0;
  return ~sum >>> 0;
}

/** A dynamic VHD made by qemu-img, rewritten as a differencing VHD with a W2ru (relative) parent locator. */
async function makeDifferencingVhd(child: string, relativeParent: string): Promise<void> {
  const src = join(dir, '.dyn-src.vhd');
  await createDisk({ path: src, format: 'vhd', type: 'dynamic', sizeBytes: 16 * MiB });
  const img = await readFile(src);
  await unlink(src);
  const footer = Buffer.from(img.subarray(img.length - 512));
  const body = Buffer.from(img.subarray(0, img.length - 512));
  const dynOffset = Number(footer.readBigUInt64BE(16));
  const locatorData = Buffer.alloc(512);
  const rel = Buffer.from(relativeParent, 'utf16le');
  rel.copy(locatorData);
  const locatorOffset = body.length;
  const dyn = body.subarray(dynOffset, dynOffset + 1024);
  // Parent unicode name (UTF-16BE) at 64, first locator at 576.
  const name = Buffer.from(relativeParent.replace(/^.*[\\/]/, ''), 'utf16le');
  name.swap16();
  name.copy(dyn, 64);
  dyn.write('W2ru', 576, 'latin1');
  dyn.writeUInt32BE(512, 580);
  dyn.writeUInt32BE(rel.length, 584);
  dyn.writeBigUInt64BE(BigInt(locatorOffset), 592);
  dyn.writeUInt32BE(vhdChecksum(dyn, 36), 36);
  for (const f of [footer, body.subarray(0, 512)]) {
    f.writeUInt32BE(4, 60);
    f.writeUInt32BE(vhdChecksum(f, 64), 64);
  }
  await writeFile(child, Buffer.concat([body, locatorData, footer]));
}

function guidBytes(guid: string): Buffer {
  const b = Buffer.from(guid.replace(/-/g, ''), 'hex');
  const out = Buffer.from(b);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  return out;
}

/** A dynamic VHDX made by qemu-img, given the HasParent flag and a parent locator with relative_path. */
async function makeDifferencingVhdx(child: string, relativeParent: string): Promise<void> {
  await createDisk({ path: child, format: 'vhdx', type: 'dynamic', sizeBytes: 16 * MiB });
  const img = await readFile(child);
  const rt = 192 * 1024;
  const metadataGuid = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E');
  let md = -1;
  for (let i = 0; i < img.readUInt32LE(rt + 8); i++) {
    const e = rt + 16 + i * 32;
    if (img.subarray(e, e + 16).equals(metadataGuid)) md = Number(img.readBigUInt64LE(e + 16));
  }
  expect(md).toBeGreaterThan(0);
  const count = img.readUInt16LE(md + 10);
  const fileParams = guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B');
  for (let i = 0; i < count; i++) {
    const e = md + 32 + i * 32;
    if (img.subarray(e, e + 16).equals(fileParams)) {
      const at = md + img.readUInt32LE(e + 16) + 4;
      img.writeUInt32LE(img.readUInt32LE(at) | 2, at); // HasParent
    }
  }
  // Locator: type GUID, reserved, count, one entry, then the UTF-16LE key and value.
  const key = Buffer.from('relative_path', 'utf16le');
  const value = Buffer.from(relativeParent, 'utf16le');
  const loc = Buffer.alloc(20 + 12 + key.length + value.length);
  guidBytes('B04AEFB7-D19E-4A81-B789-25B8E9445913').copy(loc, 0);
  loc.writeUInt16LE(1, 18);
  loc.writeUInt32LE(32, 20);
  loc.writeUInt32LE(32 + key.length, 24);
  loc.writeUInt16LE(key.length, 28);
  loc.writeUInt16LE(value.length, 30);
  key.copy(loc, 32);
  value.copy(loc, 32 + key.length);
  const itemOffset = 64 * 1024 + 4096; // free space after qemu's items
  loc.copy(img, md + itemOffset);
  const e = md + 32 + count * 32;
  guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C').copy(img, e);
  img.writeUInt32LE(itemOffset, e + 16);
  img.writeUInt32LE(loc.length, e + 20);
  img.writeUInt32LE(4, e + 24); // IsRequired
  img.writeUInt16LE(count + 1, md + 10);
  await writeFile(child, img);
}

describe('findQemuImg', () => {
  it('finds qemu-img on PATH and honours VIRIDIAN_QEMU_IMG', async () => {
    const found = await findQemuImg();
    expect(found).toMatch(/qemu-img$/);
    expect(await findQemuImg({ VIRIDIAN_QEMU_IMG: found ?? '' })).toBe(found);
    expect(await findQemuImg({ VIRIDIAN_QEMU_IMG: join(dir, 'nope') })).toBeNull();
  });
});

describe('createDisk + inspectDisk', () => {
  const combos = [
    { format: 'qcow2', type: 'dynamic', expectFormat: 'qcow2', expectType: 'dynamic' },
    // qcow2 has no "fixed" flag; a preallocated one inspects as dynamic but is fully allocated.
    { format: 'qcow2', type: 'fixed', expectFormat: 'qcow2', expectType: 'dynamic' },
    { format: 'vhd', type: 'dynamic', expectFormat: 'vpc', expectType: 'dynamic' },
    { format: 'vhd', type: 'fixed', expectFormat: 'vpc', expectType: 'fixed' },
    { format: 'vhdx', type: 'dynamic', expectFormat: 'vhdx', expectType: 'dynamic' },
    { format: 'vhdx', type: 'fixed', expectFormat: 'vhdx', expectType: 'fixed' },
  ] as const;

  for (const c of combos) {
    it(`creates and inspects ${c.format} ${c.type}`, async () => {
      const name = `d.${c.format}`;
      const progress: number[] = [];
      const info = await createDisk({ path: join(dir, name), format: c.format, type: c.type, sizeBytes: 16 * MiB }, { onProgress: (p) => progress.push(p) });
      expect(info).toMatchObject({ path: join(dir, name), format: c.expectFormat, type: c.expectType, virtualSize: 16 * MiB, parent: null, intact: true });
      expect(info.chain).toEqual([{ path: join(dir, name), format: c.expectFormat, exists: true }]);
      expect(await inspectDisk(join(dir, name))).toEqual(info);
      expect(progress).toEqual([0, 100]);
      await expectOnly([name]);
    });
  }

  it('reserves the space of a fixed qcow2 (falloc)', async () => {
    const info = await create('f.qcow2', { format: 'qcow2', type: 'fixed', sizeBytes: 16 * MiB });
    expect(info.actualSize).toBeGreaterThanOrEqual(16 * MiB);
  });

  it('sees a fixed VHD as vpc fixed with the data size, not as raw with the footer', async () => {
    await create('fixed.vhd', { format: 'vhd', type: 'fixed', sizeBytes: 16 * MiB });
    expect((await stat(join(dir, 'fixed.vhd'))).size).toBe(16 * MiB + 512);
    const info = await inspectDisk(join(dir, 'fixed.vhd'));
    expect(info.format).toBe('vpc');
    expect(info.type).toBe('fixed');
    expect(info.virtualSize).toBe(16 * MiB);
  });

  it('rounds a size up to whole sectors', async () => {
    const info = await create('odd.qcow2', { format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB + 1 });
    expect(info.virtualSize).toBe(16 * MiB + 512);
  });

  it('refuses to overwrite an existing file and leaves it alone', async () => {
    await writeFile(join(dir, 'taken.vhd'), 'precious');
    const err = await refusal(create('taken.vhd', { format: 'vhd', type: 'dynamic', sizeBytes: 16 * MiB }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(join(dir, 'taken.vhd'));
    expect(err.hint).toMatch(/another name/);
    expect(await readFile(join(dir, 'taken.vhd'), 'utf8')).toBe('precious');
    await expectOnly(['taken.vhd']);
  });

  it('refuses a VHD over 2040 GB but makes one of exactly 2040 GB', async () => {
    const err = await refusal(create('huge.vhd', { format: 'vhd', type: 'dynamic', sizeBytes: VHD_MAX_BYTES + 512 }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.hint).toMatch(/VHDX or qcow2/);
    const ok = await create('max.vhd', { format: 'vhd', type: 'dynamic', sizeBytes: VHD_MAX_BYTES });
    expect(ok.virtualSize).toBe(VHD_MAX_BYTES);
  });

  it('refuses disks under 1 MiB and missing sizes', async () => {
    expect((await refusal(create('tiny.qcow2', { format: 'qcow2', type: 'dynamic', sizeBytes: 4096 }))).code).toBe('INVALID_INPUT');
    expect((await refusal(create('nosize.qcow2', { format: 'qcow2', type: 'dynamic' }))).code).toBe('INVALID_INPUT');
    await expectOnly([]);
  });

  it('checks free space before a fixed disk, naming both numbers', async () => {
    const err = await refusal(create('big.qcow2', { format: 'qcow2', type: 'fixed', sizeBytes: 60 * 1024 ** 4 }));
    expect(err.code).toBe('NO_SPACE');
    expect(err.message).toMatch(/needs 60\.0 TiB but only .* is free/);
    await expectOnly([]);
  });

  it('refuses a folder that does not exist', async () => {
    const err = await refusal(createDisk({ path: join(dir, 'no', 'x.qcow2'), format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB }));
    expect(err.code).toBe('NOT_FOUND');
  });

  it('stops before starting when already cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await refusal(createDisk({ path: join(dir, 'c.qcow2'), format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB }, { signal: ac.signal }));
    expect(err.code).toBe('CANCELLED');
    await expectOnly([]);
  });

  it('says how to get qemu-img when it is missing', async () => {
    const saved = process.env['VIRIDIAN_QEMU_IMG'];
    process.env['VIRIDIAN_QEMU_IMG'] = join(dir, 'missing-qemu-img');
    try {
      const err = await refusal(create('x.qcow2', { format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB }));
      expect(err.code).toBe('QEMU_MISSING');
      expect(err.message).toContain('VIRIDIAN_QEMU_IMG');
    } finally {
      if (saved === undefined) delete process.env['VIRIDIAN_QEMU_IMG'];
      else process.env['VIRIDIAN_QEMU_IMG'] = saved;
    }
    await expectOnly([]);
  });
});

describe('differencing disks and chains', () => {
  it('builds a chain, then reports a deleted parent as missing instead of throwing', async () => {
    const base = join(dir, 'base.qcow2');
    const mid = join(dir, 'mid.qcow2');
    const top = join(dir, 'top.qcow2');
    await createDisk({ path: base, format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB });
    const midInfo = await createDisk({ path: mid, format: 'qcow2', type: 'differencing', parent: base });
    expect(midInfo).toMatchObject({ type: 'differencing', parent: base, virtualSize: 16 * MiB, intact: true });
    await createDisk({ path: top, format: 'qcow2', type: 'differencing', parent: mid });
    const whole = await inspectDisk(top);
    expect(whole.chain).toEqual([
      { path: top, format: 'qcow2', exists: true },
      { path: mid, format: 'qcow2', exists: true },
      { path: base, format: 'qcow2', exists: true },
    ]);
    expect(whole.intact).toBe(true);

    await unlink(base);
    const broken = await inspectDisk(top);
    expect(broken.intact).toBe(false);
    expect(broken.parent).toBe(mid);
    expect(broken.chain).toEqual([
      { path: top, format: 'qcow2', exists: true },
      { path: mid, format: 'qcow2', exists: true },
      { path: base, format: 'qcow2', exists: false },
    ]);
    // A new child of a broken chain is refused up front.
    const err = await refusal(createDisk({ path: join(dir, 'more.qcow2'), format: 'qcow2', type: 'differencing', parent: top }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(base);
  });

  it('puts a qcow2 overlay on a fixed VHD parent, recorded as vpc', async () => {
    const parent = join(dir, 'p.vhd');
    await createDisk({ path: parent, format: 'vhd', type: 'fixed', sizeBytes: 16 * MiB });
    const info = await createDisk({ path: join(dir, 'c.qcow2'), format: 'qcow2', type: 'differencing', parent });
    expect(info.chain.map((l) => l.format)).toEqual(['qcow2', 'vpc']);
    // Size comes from the VHD's data, not the footer-inflated raw size.
    expect(info.virtualSize).toBe(16 * MiB);
  });

  it('refuses VHD/VHDX differencing output, which qemu-img cannot write', async () => {
    await createDisk({ path: join(dir, 'p.qcow2'), format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB });
    const err = await refusal(create('c.vhd', { format: 'vhd', type: 'differencing', parent: join(dir, 'p.qcow2') }));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.hint).toMatch(/qcow2/);
  });

  it('reads a Hyper-V differencing VHD: type from the footer, parent from the locator', async () => {
    const parent = join(dir, 'parent.vhd');
    const child = join(dir, 'child.vhd');
    await createDisk({ path: parent, format: 'vhd', type: 'dynamic', sizeBytes: 16 * MiB });
    await makeDifferencingVhd(child, '.\\parent.vhd');
    const info = await inspectDisk(child);
    expect(info).toMatchObject({ format: 'vpc', type: 'differencing', parent, intact: true, virtualSize: 16 * MiB });
    expect(info.chain).toEqual([
      { path: child, format: 'vpc', exists: true },
      { path: parent, format: 'vpc', exists: true },
    ]);
    // QEMU would read it without its parent (zeros where the parent has data): converting is refused.
    const err = await refusal(convertDisk(child, join(dir, 'flat.qcow2'), { format: 'qcow2', type: 'dynamic' }));
    expect(err.code).toBe('UNSUPPORTED');
    await unlink(parent);
    const broken = await inspectDisk(child);
    expect(broken.intact).toBe(false);
    expect(broken.chain[1]).toEqual({ path: parent, format: 'vpc', exists: false });
  });

  it('reads a differencing VHDX (which QEMU refuses to open) from its metadata', async () => {
    const parent = join(dir, 'base.vhdx');
    const child = join(dir, 'child.vhdx');
    await createDisk({ path: parent, format: 'vhdx', type: 'dynamic', sizeBytes: 16 * MiB });
    await makeDifferencingVhdx(child, '.\\base.vhdx');
    const info = await inspectDisk(child);
    expect(info).toMatchObject({ format: 'vhdx', type: 'differencing', parent, intact: true, virtualSize: 16 * MiB });
    expect(info.chain.map((l) => l.path)).toEqual([child, parent]);
  });
});

describe('inspectDisk refusals', () => {
  it('calls a text file NOT_A_DISK even though qemu-img would call it raw', async () => {
    for (const name of ['notes.txt', 'fake.vhd', 'fake.img']) {
      await writeFile(join(dir, name), 'hello, I am not a disk\n');
      const err = await refusal(inspectDisk(join(dir, name)));
      expect(err.code).toBe('NOT_A_DISK');
      expect(err.message).toContain(name);
    }
  });

  it('accepts a sector-aligned .img as raw fixed', async () => {
    await writeFile(join(dir, 'disk.img'), Buffer.alloc(2 * MiB));
    expect(await inspectDisk(join(dir, 'disk.img'))).toMatchObject({ format: 'raw', type: 'fixed', virtualSize: 2 * MiB, intact: true });
  });

  it('reports a missing file as NOT_FOUND and a folder as NOT_A_DISK', async () => {
    expect((await refusal(inspectDisk(join(dir, 'none.qcow2')))).code).toBe('NOT_FOUND');
    expect((await refusal(inspectDisk(dir))).code).toBe('NOT_A_DISK');
  });
});

describe('convertDisk', () => {
  async function patternedRaw(name: string, size: number): Promise<string> {
    const buf = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) buf.writeUInt32LE(i / 4096 + 1, i);
    const p = join(dir, name);
    await writeFile(p, buf);
    return p;
  }

  it('converts with rising progress to 100, and a fixed VHD converts back without its footer', async () => {
    const src = await patternedRaw('src.img', 64 * MiB);
    const progress: number[] = [];
    const vhd = await convertDisk(src, join(dir, 'out.vhd'), { format: 'vhd', type: 'fixed' }, { onProgress: (p) => progress.push(p) });
    expect(vhd).toMatchObject({ format: 'vpc', type: 'fixed', virtualSize: 64 * MiB });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1] ?? -1);

    const back = await convertDisk(join(dir, 'out.vhd'), join(dir, 'back.img'), { format: 'raw', type: 'fixed' });
    expect(back.virtualSize).toBe(64 * MiB);
    expect((await readFile(join(dir, 'back.img'))).equals(await readFile(src))).toBe(true);
    await expectOnly(['src.img', 'out.vhd', 'back.img']);
  });

  it('converts to VHDX and qcow2, flattening a chain', async () => {
    const src = await patternedRaw('src.img', 16 * MiB);
    await createDisk({ path: join(dir, 'child.qcow2'), format: 'qcow2', type: 'differencing', parent: src });
    const flat = await convertDisk(join(dir, 'child.qcow2'), join(dir, 'flat.vhdx'), { format: 'vhdx', type: 'dynamic' });
    expect(flat).toMatchObject({ format: 'vhdx', type: 'dynamic', parent: null, virtualSize: 16 * MiB });
    const q = await convertDisk(join(dir, 'flat.vhdx'), join(dir, 'flat.qcow2'), { format: 'qcow2', type: 'dynamic' });
    expect(q).toMatchObject({ format: 'qcow2', parent: null, virtualSize: 16 * MiB });
  });

  it('cancels: the process is stopped and no output or temp file is left', async () => {
    await patternedRaw('src.img', 64 * MiB);
    const ac = new AbortController();
    const seen: number[] = [];
    const err = await refusal(
      convertDisk(join(dir, 'src.img'), join(dir, 'out.qcow2'), { format: 'qcow2', type: 'fixed' }, {
        signal: ac.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p > 0) ac.abort();
        },
      }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(seen.at(-1)).not.toBe(100);
    await expectOnly(['src.img']);
  });

  it('refuses to overwrite, and refuses a VHD target over 2040 GB', async () => {
    await patternedRaw('src.img', 2 * MiB);
    await writeFile(join(dir, 'exists.vhd'), 'x');
    expect((await refusal(convertDisk(join(dir, 'src.img'), join(dir, 'exists.vhd'), { format: 'vhd', type: 'dynamic' }))).code).toBe('INVALID_INPUT');
    await createDisk({ path: join(dir, 'big.qcow2'), format: 'qcow2', type: 'dynamic', sizeBytes: VHD_MAX_BYTES + MiB });
    const err = await refusal(convertDisk(join(dir, 'big.qcow2'), join(dir, 'big.vhd'), { format: 'vhd', type: 'dynamic' }));
    expect(err.code).toBe('INVALID_INPUT');
    await expectOnly(['src.img', 'exists.vhd', 'big.qcow2']);
  });

  it('inspects a disk a running QEMU holds (-U), and refuses to convert it with DISK_IN_USE', async () => {
    const disk = join(dir, 'busy.qcow2');
    await createDisk({ path: disk, format: 'qcow2', type: 'dynamic', sizeBytes: 16 * MiB });
    const qemu = spawn(
      'qemu-system-x86_64',
      ['-machine', 'none', '-nodefaults', '-display', 'none', '-blockdev', `driver=qcow2,node-name=d0,file.driver=file,file.filename=${disk}`, '-qmp', 'stdio'],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      // The QMP greeting comes after the block devices are open (and locked).
      await new Promise<void>((res, rej) => {
        qemu.stdout.once('data', () => res());
        qemu.once('exit', (code) => rej(new Error(`qemu exited ${code}`)));
      });
      expect((await inspectDisk(disk)).format).toBe('qcow2');
      const err = await refusal(convertDisk(disk, join(dir, 'copy.qcow2'), { format: 'qcow2', type: 'dynamic' }));
      expect(err.code).toBe('DISK_IN_USE');
      expect(err.hint).toMatch(/Turn off/);
    } finally {
      qemu.kill('SIGKILL');
      await new Promise((r) => (qemu.exitCode !== null || qemu.signalCode !== null ? r(null) : qemu.once('exit', r)));
    }
    await expectOnly(['busy.qcow2']);
  });
});

describe('parseProgress', () => {
  it('takes the last value of a chunk', () => {
    expect(parseProgress('    (0.00/100%)\r    (12.34/100%)\r')).toBe(12.34);
    expect(parseProgress('    (100.00/100%)\r\n')).toBe(100);
    expect(parseProgress('nothing here')).toBeNull();
  });
});
