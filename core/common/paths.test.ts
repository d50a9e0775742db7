import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confinePath, defaultDataDir } from './paths';
import { ViridianError } from '../contract';

describe('defaultDataDir', () => {
  it('prefers VIRIDIAN_DATA', () => {
    expect(defaultDataDir({ VIRIDIAN_DATA: '/srv/viridian' }, 'linux', '/home/a')).toBe('/srv/viridian');
  });
  it('uses XDG_DATA_HOME or ~/.local/share on Linux', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/a')).toBe('/x/data/viridian');
    expect(defaultDataDir({}, 'linux', '/home/a')).toBe('/home/a/.local/share/viridian');
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel' }, 'linux', '/home/a')).toBe('/home/a/.local/share/viridian');
  });
  it('uses Application Support on macOS', () => {
    expect(defaultDataDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/Viridian');
  });
  it('uses %APPDATA% on Windows', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe('C:\\Users\\a\\AppData\\Roaming\\Viridian');
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\a')).toBe('C:\\Users\\a\\AppData\\Roaming\\Viridian');
  });
  it('uses the real environment by default', () => {
    expect(defaultDataDir().length).toBeGreaterThan(0);
  });
});

describe('confinePath', () => {
  let base: string;
  let root: string;
  let outside: string;
  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'viridian-paths-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'vms'), { recursive: true });
    await mkdir(outside);
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function refusal(p: string, roots = [root]): Promise<ViridianError> {
    const err = await confinePath(p, roots).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViridianError);
    return err as ViridianError;
  }

  it('accepts existing and not-yet-existing paths inside a root', async () => {
    expect(await confinePath(join(root, 'vms'), [root])).toBe(join(root, 'vms'));
    expect(await confinePath(join(root, 'vms', 'new', 'disk.qcow2'), [root])).toBe(join(root, 'vms', 'new', 'disk.qcow2'));
    expect(await confinePath(root, [root])).toBe(root);
  });

  it('refuses .. that climbs out of the root, naming the path and the roots', async () => {
    const p = join(root, 'vms', '..', '..', 'outside', 'x.qcow2');
    const err = await refusal(p);
    expect(err.code).toBe('PATH_OUTSIDE_ROOTS');
    expect(err.message).toContain(p);
    expect(err.message).toContain(root);
    expect(err.hint).toMatch(/storage root/);
  });

  it('allows .. that stays inside and returns the normalized path', async () => {
    expect(await confinePath(`${root}/vms/../vms/./a.vhd`, [root])).toBe(join(root, 'vms', 'a.vhd'));
  });

  it('refuses a symlink inside the root that points outside', async () => {
    await symlink(outside, join(root, 'escape'));
    const err = await refusal(join(root, 'escape', 'disk.qcow2'));
    expect(err.code).toBe('PATH_OUTSIDE_ROOTS');
    expect(err.message).toContain(outside);
  });

  it('refuses a dangling symlink, which a create would follow', async () => {
    await symlink(join(outside, 'not-yet'), join(root, 'dangling'));
    const err = await refusal(join(root, 'dangling'));
    expect(err.code).toBe('INVALID_INPUT');
  });

  it('accepts a symlink outside that points into a root, and a root reached through a symlink', async () => {
    await symlink(root, join(outside, 'to-root'));
    expect(await confinePath(join(outside, 'to-root', 'vms', 'a.qcow2'), [root])).toBe(join(root, 'vms', 'a.qcow2'));
    // Roots are realpath'd too.
    expect(await confinePath(join(root, 'vms', 'b.qcow2'), [join(outside, 'to-root')])).toBe(join(root, 'vms', 'b.qcow2'));
  });

  it('does not treat a sibling with a common prefix as inside', async () => {
    await mkdir(`${root}2`);
    expect((await refusal(join(`${root}2`, 'x'))).code).toBe('PATH_OUTSIDE_ROOTS');
  });

  it('refuses NUL bytes, relative paths and empty input', async () => {
    expect((await refusal(`${root}/a\0b`)).code).toBe('INVALID_INPUT');
    expect((await refusal('vms/a.qcow2')).code).toBe('INVALID_INPUT');
    expect((await refusal('../../etc/passwd')).code).toBe('INVALID_INPUT');
    expect((await refusal('')).code).toBe('INVALID_INPUT');
  });

  it('refuses everything when no roots are configured', async () => {
    const err = await refusal(join(root, 'a'), []);
    expect(err.code).toBe('PATH_OUTSIDE_ROOTS');
    expect(err.message).toMatch(/no storage roots/);
  });

  it('works through a file used as a folder (the tail cannot exist)', async () => {
    await writeFile(join(root, 'file'), 'x');
    expect(await confinePath(join(root, 'file', 'x'), [root])).toBe(join(root, 'file', 'x'));
  });
});
