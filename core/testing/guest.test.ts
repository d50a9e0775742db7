import { describe, it, expect } from 'vitest';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import {
  BOOT_ID_RE,
  DISK_READY_RE,
  GUEST_READY_MARKER,
  IP_RE,
  TICK_RE,
  ensureTestGuest,
  guestAppend,
  guestDir,
  lastTick,
  serialCommand,
} from './guest';

describe('test guest', () => {
  it('is built (or found) with every file present and non-empty', async () => {
    const guest = await ensureTestGuest();
    expect(guest.dir).toBe(guestDir());
    const files = [guest.kernel, guest.initrd, guest.diskRaw, guest.diskQcow2, guest.diskFixedVhd, guest.diskDynamicVhd];
    for (const f of files) {
      expect(isAbsolute(f), f).toBe(true);
      const s = await stat(f);
      expect(s.isFile(), f).toBe(true);
      expect(s.size, f).toBeGreaterThan(0);
    }
    expect(guest.kernelVersion).toMatch(/^\d+\.\d+\.\d+-/);
    expect(guest.diskVirtualSize).toBe(64 * 1024 * 1024);
    expect(guest.modules).toContain('virtio_blk');
    // A second call is answered from the cache.
    expect(await ensureTestGuest()).toEqual(guest);
  }, 300_000);
});

describe('guest markers and helpers', () => {
  it('match the lines the guest prints, even with an echo spliced in', () => {
    const log = 'VIRIDIAN-GUEST-READYecho hi\r\nVIRIDIAN-BOOT-ID 0123456789abcdef0123456789abcdefls\r\n' +
      'VIRIDIAN-TICK 1\r\nVIRIDIAN-IP 10.0.2.15\r\nVIRIDIAN-TICK 12\r\nVIRIDIAN-DISK-READY /dev/vda 131072\r\n';
    expect(log).toContain(GUEST_READY_MARKER);
    expect(BOOT_ID_RE.exec(log)?.[1]).toBe('0123456789abcdef0123456789abcdef');
    expect(TICK_RE.exec(log)?.[1]).toBe('1');
    expect(lastTick(log)).toBe(12);
    expect(lastTick('')).toBe(-1);
    expect(IP_RE.exec(log)?.[1]).toBe('10.0.2.15');
    expect(DISK_READY_RE.exec(log)?.slice(1)).toEqual(['/dev/vda', '131072']);
  });

  it('builds kernel command lines with console=ttyS0 last among consoles', () => {
    expect(guestAppend()).toBe('console=tty0 console=ttyS0 quiet');
    expect(guestAppend({ ip: '10.0.2.20/24', gateway: '10.0.2.2', dirtyMiB: 32, disk: '/dev/vda', dhcp: true, noisy: true }))
      .toBe('console=tty0 console=ttyS0 viridian.ip=10.0.2.20/24 viridian.gw=10.0.2.2 viridian.dhcp=1 viridian.dirty=32 viridian.disk=/dev/vda');
  });

  it('serial commands complete on a sentinel the echo cannot match', () => {
    const { line, done } = serialCommand('uname -r', 7);
    expect(line.endsWith('\n')).toBe(true);
    expect(done.test(line)).toBe(false);
    expect(done.exec('6.1.0\r\nVIRIDIAN-CMD-7-RC-0\r\n')?.[1]).toBe('0');
  });
});
