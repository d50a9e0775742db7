// Synthetic (virtio, enlightened) vs emulated devices of a VM, as the QEMU
// command line (core/qemu/cmdline.ts) builds them.
import type { Accelerator, VmConfig, VmDevices } from '../contract';
import { enlightenments } from '../qemu/cmdline';

function fmt(format: string): string {
  return format === 'vpc' ? 'VHD' : format === 'vhdx' ? 'VHDX' : format;
}

export function vmDevices(config: VmConfig, accel: Accelerator): VmDevices {
  const devices: VmDevices['devices'] = [];
  config.ide.forEach((ctrl, c) => {
    devices.push({ device: `IDE Controller ${c}`, model: 'PIIX3 IDE', kind: 'emulated', detail: 'Emulated ATA controller: needs no drivers, every access traps into QEMU.' });
    ctrl.forEach((s, u) => {
      if (!s) return;
      if (s.kind === 'disk') devices.push({ device: `Hard Drive (IDE ${c}:${u})`, model: 'ide-hd', kind: 'emulated', detail: `${s.path} (${fmt(s.format)}, ${s.type})` });
      else devices.push({ device: `DVD Drive (IDE ${c}:${u})`, model: 'ide-cd', kind: 'emulated', detail: s.path ?? 'No media' });
    });
  });
  devices.push({ device: 'SCSI Controller', model: 'virtio-scsi-pci', kind: 'synthetic', detail: 'Synthetic storage controller (virtio); disks can be added and removed while the VM runs.' });
  for (const d of config.scsi) devices.push({ device: `Hard Drive (SCSI ${d.lun})`, model: 'scsi-hd on virtio-scsi', kind: 'synthetic', detail: `${d.path} (${fmt(d.format)}, ${d.type})` });
  for (const n of config.network) {
    devices.push(
      n.kind === 'synthetic'
        ? { device: 'Network Adapter', model: 'virtio-net-pci', kind: 'synthetic', detail: `${n.mac}; needs virtio drivers in the guest (Linux has them).` }
        : { device: 'Legacy Network Adapter', model: 'e1000', kind: 'emulated', detail: `${n.mac}; works without extra drivers and boots from the network (PXE).` },
    );
  }
  devices.push({ device: 'Video', model: 'std VGA', kind: 'emulated', detail: 'Emulated VGA.' });
  devices.push({ device: 'COM 1', model: '16550A UART', kind: 'emulated', detail: 'Serial console (Viridian’s own console log).' });
  if (config.com.some((c) => c.port === 2 && c.pipe)) devices.push({ device: 'COM 2', model: '16550A UART', kind: 'emulated', detail: 'Named pipe.' });
  if (config.floppy) devices.push({ device: 'Diskette Drive', model: 'floppy', kind: 'emulated', detail: config.floppy });
  const hv = enlightenments(config, accel);
  return {
    accelerator: accel,
    enlightenments: { enabled: hv.flags.length > 0, flags: hv.flags, reason: hv.reason },
    devices,
  };
}
