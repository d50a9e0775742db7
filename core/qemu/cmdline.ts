import type { Accelerator, BootDevice, DiskAttachment, VmConfig } from '../contract';

/** Where a running VM's sockets and files live (short paths: unix sockets max ~107 bytes). */
export interface RuntimePaths {
  qmp: string;
  serial: string;
  vnc: string;
  pidfile: string;
  serialLog: string;
}

/**
 * How one network adapter is connected, resolved by the engine from the
 * host's virtual networks (core/engine/networks-*.ts).
 */
export type NetBackend =
  /** User-mode NAT (slirp): the guest reaches outside and the host at 10.0.2.2; each adapter has its own NAT. */
  | { kind: 'user'; restrict?: boolean }
  /** An Ethernet segment as UDP multicast on the loopback interface: every adapter on the same group:port hears the others. */
  | { kind: 'mcast'; group: string; port: number }
  /** A host bridge through QEMU's bridge helper (needs /etc/qemu/bridge.conf to allow it). */
  | { kind: 'bridge'; bridge: string }
  /** Not connected: the guest sees a NIC with no link partner. */
  | { kind: 'none' };

export interface LaunchOptions {
  accel: Accelerator;
  /** Adapter id → backend. Without it every connected adapter gets user-mode NAT (the engine always passes it). */
  networks?: Readonly<Record<string, NetBackend>>;
  /** Restore from a saved state: start with `-incoming defer`. */
  incoming?: boolean;
  /** Seccomp sandbox (Linux only). */
  sandbox?: boolean;
}

/** QEMU's key=value option syntax doubles commas inside values. */
export function escapeOptValue(v: string): string {
  return v.replace(/,/g, ',,');
}

/**
 * Boot order as per-device bootindex (the PC CMOS order holds only three
 * letters, and Hyper-V's list has four kinds): rank × 10 + device number.
 */
function bootIndexer(order: readonly BootDevice[], first: number): (kind: BootDevice) => number | undefined {
  const next = new Map<BootDevice, number>();
  return (kind) => {
    const rank = order.indexOf(kind);
    if (rank < 0) return undefined;
    const n = next.get(kind) ?? 0;
    next.set(kind, n + 1);
    return first + rank * 10 + n;
  };
}

type BlockdevDisk = Pick<DiskAttachment, 'path' | 'format' | 'type' | 'virtualSize' | 'readOnly'>;

/** The -blockdev / QMP blockdev-add options of a disk (also used for SCSI hot-add). */
export function blockdevOptions(nodeName: string, disk: BlockdevDisk): Record<string, unknown> {
  const file = { driver: 'file', filename: disk.path };
  // A fixed VHD runs as raw limited to its size: the footer stays out of the
  // guest's reach and QEMU can save and migrate it (QEMU.md "Disk formats").
  if (disk.format === 'vpc' && disk.type === 'fixed') {
    return { driver: 'raw', 'node-name': nodeName, size: disk.virtualSize, 'read-only': disk.readOnly, file };
  }
  return { driver: disk.format, 'node-name': nodeName, 'read-only': disk.readOnly, file };
}

function blockdev(nodeName: string, disk: BlockdevDisk): string {
  return JSON.stringify(blockdevOptions(nodeName, disk));
}

/** Hyper-V enlightenments a VM gets, with why (empty list + reason when none). */
export function enlightenments(config: Pick<VmConfig, 'guestOs'>, accel: Accelerator): { flags: string[]; reason: string } {
  if (config.guestOs !== 'windows') return { flags: [], reason: 'Hyper-V enlightenments are for Windows guests; Linux guests use virtio (synthetic) devices instead.' };
  // Enlightenments only help with a real hypervisor underneath (QEMU.md: under TCG they do nothing).
  if (accel !== 'kvm' && accel !== 'whpx') return { flags: [], reason: `The accelerator is ${accel === 'tcg' ? 'software emulation (TCG)' : accel}, under which hv-* flags do nothing; they are turned on with KVM or WHPX.` };
  return { flags: ['hv-relaxed=on', 'hv-vapic=on', 'hv-spinlocks=0x1fff', 'hv-time=on'], reason: `Turned on for this Windows guest (${accel}).` };
}

function cpuModel(config: VmConfig, accel: Accelerator): string {
  if (accel === 'tcg') return config.arch === 'x86' ? 'qemu32' : 'qemu64';
  const base = config.arch === 'x86' ? 'kvm32' : 'host';
  const { flags } = enlightenments(config, accel);
  return flags.length ? `${base},${flags.join(',')}` : base;
}

/** The -netdev value for a backend, or null when the adapter is not connected. */
export function netdevArg(id: string, b: NetBackend): string | null {
  switch (b.kind) {
    case 'user':
      return b.restrict ? `user,id=${id},restrict=on` : `user,id=${id}`;
    case 'mcast':
      // localaddr=127.0.0.1 keeps the segment on this host's loopback (never on a LAN).
      return `socket,id=${id},mcast=${b.group}:${b.port},localaddr=127.0.0.1`;
    case 'bridge':
      return `bridge,id=${id},br=${escapeOptValue(b.bridge)}`;
    case 'none':
      return null;
  }
}

/**
 * Builds the QEMU argument vector for a VM. Pure: the same config gives the
 * same command line, which is also what "View Script" and the bench compare.
 */
export function buildQemuArgs(config: VmConfig, paths: RuntimePaths, opts: LaunchOptions): string[] {
  const args: string[] = [];
  const push = (...a: string[]) => args.push(...a);

  push('-name', `guest=${escapeOptValue(config.name)}`);
  push('-uuid', config.id);
  push('-machine', `pc,accel=${opts.accel}`);
  push('-cpu', cpuModel(config, opts.accel));
  push('-smp', String(config.processor.count));
  push('-m', String(config.memoryMiB));
  push('-nodefaults', '-no-user-config');
  // Guest power-off leaves the process up (status "shutdown") so an engine that
  // was away can tell a clean power-off from a crash; the engine then quits it.
  push('-no-shutdown');
  push('-rtc', 'base=utc');
  if (opts.sandbox) push('-sandbox', 'on,obsolete=deny,elevateprivileges=deny,resourcecontrol=deny');
  push('-pidfile', paths.pidfile);
  push('-qmp', `unix:${escapeOptValue(paths.qmp)},server=on,wait=off`);
  push('-display', 'none', '-vga', 'std');
  push('-vnc', `unix:${escapeOptValue(paths.vnc)}`);
  // COM1 is the managed serial console: a socket to type into and a log to read.
  push('-chardev', `socket,id=com1,path=${escapeOptValue(paths.serial)},server=on,wait=off,logfile=${escapeOptValue(paths.serialLog)},logappend=on`);
  push('-serial', 'chardev:com1');
  const com2 = config.com.find((c) => c.port === 2);
  if (com2?.pipe) {
    push('-chardev', `socket,id=com2,path=${escapeOptValue(com2.pipe)},server=on,wait=off`);
    push('-serial', 'chardev:com2');
  }

  // With -kernel, QEMU's linuxboot option ROM takes bootindex 0 itself.
  const bootIndex = bootIndexer(config.bios.bootOrder, config.kernel ? 1 : 0);
  push('-boot', 'menu=off,strict=off');

  if (config.kernel) {
    push('-kernel', config.kernel.path);
    if (config.kernel.initrd) push('-initrd', config.kernel.initrd);
    if (config.kernel.append) push('-append', config.kernel.append);
  }

  config.ide.forEach((ctrl, c) => {
    ctrl.forEach((slot, u) => {
      if (!slot) return;
      const node = `ide${c}-${u}`;
      if (slot.kind === 'disk') {
        push('-blockdev', blockdev(node, slot));
        push('-device', JSON.stringify({ driver: 'ide-hd', drive: node, bus: `ide.${c}`, unit: u, bootindex: bootIndex('ide') }));
      } else if (slot.path) {
        push('-blockdev', JSON.stringify({ driver: 'raw', 'node-name': node, 'read-only': true, file: { driver: 'file', filename: slot.path, 'read-only': true } }));
        push('-device', JSON.stringify({ driver: 'ide-cd', drive: node, bus: `ide.${c}`, unit: u, id: node, bootindex: bootIndex('cd') }));
      } else {
        push('-device', JSON.stringify({ driver: 'ide-cd', bus: `ide.${c}`, unit: u, id: node }));
      }
    });
  });

  // The synthetic SCSI controller is always present so disks can be hot-added.
  push('-device', JSON.stringify({ driver: 'virtio-scsi-pci', id: 'scsi0' }));
  for (const d of config.scsi) {
    const node = `scsi0-${d.lun}`;
    push('-blockdev', blockdev(node, d));
    push('-device', JSON.stringify({ driver: 'scsi-hd', drive: node, bus: 'scsi0.0', lun: d.lun, id: node }));
  }

  if (config.floppy) {
    push('-blockdev', JSON.stringify({ driver: 'raw', 'node-name': 'fd0', file: { driver: 'file', filename: config.floppy } }));
    push('-device', JSON.stringify({ driver: 'floppy', unit: 0, drive: 'fd0', bootindex: bootIndex('floppy') }));
  }

  config.network.forEach((nic, i) => {
    const id = `net${i}`;
    // Legacy = emulated e1000: Hyper-V's was a DEC 21140, but QEMU's tulip model has no PXE option ROM.
    const driver = nic.kind === 'synthetic' ? 'virtio-net-pci' : 'e1000';
    // PXE boot is the legacy adapter's job, as in Hyper-V.
    const bootindex = nic.kind === 'legacy' ? bootIndex('net') : undefined;
    const backend: NetBackend = nic.network === null ? { kind: 'none' } : (opts.networks?.[nic.id] ?? { kind: 'user' });
    const netdev = netdevArg(id, backend);
    if (netdev) push('-netdev', netdev);
    push('-device', JSON.stringify({ driver, ...(netdev ? { netdev: id } : {}), mac: nic.mac, id: `nic${i}`, bootindex }));
  });

  if (opts.incoming) push('-incoming', 'defer');
  return args;
}
