// Hand-written Virtual PC 2007 / Virtual Server 2005 .vmc documents for the
// importer's tests, following the documented schema (REFERENCE.md): root
// <preferences>, typed value elements, ids on controllers and locations.

export interface VmcFixtureOptions {
  ramMiB?: number;
  disk?: { absolute: string; relative: string } | null;
  secondDisk?: { absolute: string; relative: string } | null;
  dvd?: string | null;
  mac?: string;
  network?: string;
  notes?: string;
  scsiDisk?: { absolute: string; relative: string } | null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function location(id: number, driveType: number, p: { absolute: string; relative: string } | null): string {
  return `
            <location id="${id}">
              <drive_type type="integer">${driveType}</drive_type>
              <pathname>
                <absolute type="string">${esc(p?.absolute ?? '')}</absolute>
                <relative type="string">${esc(p?.relative ?? '')}</relative>
              </pathname>
            </location>`;
}

/** A .vmc as Virtual PC writes it (declaration says UTF-16; encode it as you need). */
export function vmcXml(o: VmcFixtureOptions = {}): string {
  const dvd = o.dvd === undefined ? null : o.dvd;
  return `<?xml version="1.0" encoding="UTF-16"?>
<preferences>
  <version type="string">2.0</version>
  <hardware>
    <bios>
      <bios_guid type="string">{8D1F5A3E-1111-2222-3333-444455556666}</bios_guid>
      <base_board>
        <serial_number type="string">3301-1234-5678-9012-3456-7890-12</serial_number>
      </base_board>
      <cmos type="bytes">00112233445566778899AABBCCDDEEFF</cmos>
      <time_bytes type="bytes">0000000000</time_bytes>
    </bios>
    <memory>
      <ram_size type="integer">${o.ramMiB ?? 128}</ram_size>
    </memory>
    <pci_bus>
      <ethernet_adapter>
        <controller_count type="integer">1</controller_count>
        <ethernet_controller id="0">
          <ethernet_card_address type="bytes">${o.mac ?? '0003FFA1B2C3'}</ethernet_card_address>
          <virtual_network>
            <id type="string">{5FB9E2A8-0000-4D4C-8F0B-0A1B2C3D4E5F}</id>
            <name type="string">${esc(o.network ?? 'Shared Networking (NAT)')}</name>
          </virtual_network>
        </ethernet_controller>
      </ethernet_adapter>
      <ide_adapter>
        <ide_controller id="0">${o.disk === null ? '' : location(0, 1, o.disk ?? null)}${o.secondDisk ? location(1, 1, o.secondDisk) : ''}
        </ide_controller>
        <ide_controller id="1">${dvd !== null ? location(0, 2, { absolute: dvd, relative: '' }) : ''}
        </ide_controller>
      </ide_adapter>${
        o.scsiDisk
          ? `
      <scsi_adapter>
        <scsi_controller id="0">${location(0, 1, o.scsiDisk)}
        </scsi_controller>
      </scsi_adapter>`
          : ''
      }
      <video_adapter>
        <vram_size type="integer">8</vram_size>
      </video_adapter>
    </pci_bus>
    <super_io>
      <floppy id="0">
        <pathname>
          <absolute type="string"></absolute>
          <relative type="string"></relative>
        </pathname>
      </floppy>
      <serial_port id="0">
        <connect_immediately type="boolean">false</connect_immediately>
        <port_type type="integer">2</port_type>
      </serial_port>
    </super_io>
  </hardware>
  <integration>
    <microsoft>
      <mouse>
        <allow type="boolean">true</allow>
      </mouse>
      <components>
        <host_time_sync>
          <enabled type="boolean">true</enabled>
        </host_time_sync>
      </components>
    </microsoft>
  </integration>
  <settings>
    <guest_os type="string">Windows 2000</guest_os>
    <notes type="string">${esc(o.notes ?? '')}</notes>
    <shutdown>
      <quit>
        <action type="string">off</action>
      </quit>
    </shutdown>
    <undo_drives>
      <enabled type="boolean">false</enabled>
    </undo_drives>
    <configuration>
      <saved_state>
        <path type="string">C:\\VMs\\Old\\Old.vsv</path>
      </saved_state>
    </configuration>
    <frobnicator type="string">on</frobnicator>
  </settings>
  <virtual_machines>
    <hw_assist>
      <enable_hw_assist type="boolean">true</enable_hw_assist>
    </hw_assist>
  </virtual_machines>
</preferences>
`;
}

/** UTF-16LE with BOM, as Virtual PC saves it. */
export function utf16le(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace(/\n/g, '\r\n'), 'utf16le')]);
}

/** Re-encoded by some tool to UTF-8 (no BOM), the UTF-16 declaration left in. */
export function reencodedUtf8(xml: string): Buffer {
  return Buffer.from(xml, 'utf8');
}
