import { describe, expect, it } from 'vitest';
import { reencodedUtf8, utf16le, vmcXml } from './transfer-fixtures';
import { decodeVmc, parseVmc, vmcMac, vmcName } from './transfer-vmc';

const xml = vmcXml({
  ramMiB: 384,
  disk: { absolute: 'C:\\Virtual Machines\\Win2k\\Win2k Disk.vhd', relative: '.\\Win2k Disk.vhd' },
  dvd: 'D:\\isos\\w2k.iso',
  notes: 'Domain controller <old> & friends',
});

describe('.vmc decoding', () => {
  it('reads UTF-16LE with BOM, UTF-16BE, and UTF-8 with a leftover UTF-16 declaration alike', () => {
    const a = decodeVmc(utf16le(xml));
    const b = decodeVmc(reencodedUtf8(xml));
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(xml, 'utf16le').swap16()]);
    expect(a.replace(/\r\n/g, '\n')).toBe(xml);
    expect(b).toBe(xml);
    expect(decodeVmc(be)).toBe(xml);
    expect(decodeVmc(Buffer.from(xml, 'utf16le'))).toBe(xml); // no BOM: sniffed
    expect(parseVmc(a)).toEqual(parseVmc(b));
  });
});

describe('.vmc parsing', () => {
  const m = parseVmc(decodeVmc(utf16le(xml)));

  it('takes memory, drives, adapters and notes', () => {
    expect(m.memoryMiB).toBe(384);
    expect(m.drives).toEqual([
      { bus: 'ide', controller: 0, location: 0, driveType: 1, absolute: 'C:\\Virtual Machines\\Win2k\\Win2k Disk.vhd', relative: '.\\Win2k Disk.vhd', undoAbsolute: null, undoRelative: null },
      { bus: 'ide', controller: 1, location: 0, driveType: 2, absolute: 'D:\\isos\\w2k.iso', relative: null, undoAbsolute: null, undoRelative: null },
    ]);
    expect(m.nics).toEqual([{ id: '0', mac: '0003FFA1B2C3', network: 'Shared Networking (NAT)' }]);
    expect(m.notes).toBe('Domain controller <old> & friends');
    expect(m.guestOs).toBe('Windows 2000');
    expect(m.floppy).toBeNull();
  });

  it('reports every value it does not carry over, one line each, with the reason', () => {
    const lines = m.notesReport.map((n) => `${n.level}: ${n.text}`);
    expect(lines).toContain('warning: The Virtual PC saved state (C:\\VMs\\Old\\Old.vsv) cannot be carried over: the VM starts from its disks (like after a power cut).');
    expect(lines).toContain('warning: Not carried over (unknown to the importer): settings/frobnicator = "on"');
    expect(lines).toContain('warning: Not carried over (unknown to the importer): version = "2.0"');
    expect(lines.filter((l) => l.includes('BIOS setting'))).toHaveLength(4);
    expect(lines.some((l) => l.includes('Video setting video_adapter/vram_size = "8"'))).toBe(true);
    expect(lines.some((l) => l.includes('mouse/allow = "true"'))).toBe(true);
    expect(lines.some((l) => l.includes('Serial port setting serial_port[0]/port_type = "2"'))).toBe(true);
    expect(lines.some((l) => l.includes('enable_hw_assist'))).toBe(true);
    expect(lines.some((l) => l.includes('quit/action = "off"'))).toBe(true);
    // Used values and empty ones are not reported.
    expect(lines.some((l) => /memory\/ram_size|ethernet_card_address|drive_type|settings\/notes|floppy/.test(l))).toBe(false);
    // 4 BIOS + version + vram + mouse + time sync + 2 serial + hw assist + quit + undo + saved state + frobnicator
    expect(m.notesReport).toHaveLength(15);
  });

  it('refuses what is not a .vmc', () => {
    expect(() => parseVmc('<configuration/>')).toThrow(/not <preferences>/);
    expect(() => parseVmc('<preferences><a></b></preferences>')).toThrow(/not well-formed/);
  });

  it('turns MACs and file names into ours', () => {
    expect(vmcMac('0003FFA1B2C3')).toBe('00:03:ff:a1:b2:c3');
    expect(vmcMac('00-03-FF-A1-B2-C3')).toBe('00:03:ff:a1:b2:c3');
    expect(vmcMac('xxxxxxxxxxxx')).toBeNull();
    expect(vmcMac('')).toBeNull();
    expect(vmcName('Win2k: old?')).toBe('Win2k_ old_');
    expect(vmcName('  ')).toBe('Imported VM');
  });
});
