import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openEngine, type Engine } from '../core/engine/engine';
import { waitForSerial } from '../core/testing/engine-fixture';
import { ensureTestGuest, guestAppend, serialCommand } from '../core/testing/guest';
import { ensureLegacyGuest } from '../core/testing/legacy-guest';
import { median } from './stats';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/**
 * Synthetic (virtio) vs emulated devices in the test guest, measured in one run:
 * - disk: sequential read and write of a raw disk on the emulated IDE controller
 *   vs on the synthetic SCSI controller (virtio-scsi), same VM, rounds alternating;
 * - network: guest → host TCP through user-mode NAT, virtio-net vs the emulated
 *   e1000 (Legacy Network Adapter), two VMs of the generic-kernel guest, rounds alternating.
 * Under TCG the CPU emulation dominates both paths (QEMU.md), so expect ratios near 1;
 * the synthetic advantage shows with KVM/WHPX/HVF. The accelerator is reported.
 */
export interface DevicesResult {
  accelerator: string;
  rounds: number;
  disk: { sizeMiB: number; ideReadMiBs: number[]; scsiReadMiBs: number[]; ideWriteMiBs: number[]; scsiWriteMiBs: number[]; readRatio: number; writeRatio: number };
  network: { sizeMiB: number; e1000MiBs: number[]; virtioMiBs: number[]; ratio: number };
}

let cmd = 9000;
/** Runs a shell command in the guest and returns what it printed between markers. */
async function guestOut(engine: Engine, vm: string, command: string, timeoutMs = 300_000): Promise<string> {
  const id = cmd++;
  const { line, done } = serialCommand(`echo BENCH-BEGIN-${id}; ${command}; echo BENCH-END-${id}`, id);
  const path = engine.getVm(vm).paths?.serial;
  if (!path) throw new Error(`${vm}: no serial socket`);
  const { connect } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const s = connect(path, () => {
      s.end(line);
      resolve();
    });
    s.once('error', reject);
  });
  const text = await waitForSerial(engine, vm, done, timeoutMs);
  // The command is echoed by the tty; the output is after the last BEGIN marker line.
  const begin = text.lastIndexOf(`BENCH-BEGIN-${id}\r\n`);
  const end = text.lastIndexOf(`BENCH-END-${id}`);
  return begin >= 0 && end > begin ? text.slice(begin, end) : '';
}

/** Seconds a guest command took, by the guest's own clock (/proc/uptime, 10 ms resolution). */
async function timed(engine: Engine, vm: string, command: string): Promise<number> {
  const out = await guestOut(engine, vm, `a=$(cut -d' ' -f1 /proc/uptime); ${command}; b=$(cut -d' ' -f1 /proc/uptime); echo "BENCH-T $a $b"`);
  const m = /BENCH-T ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`no timing from ${vm}: ${out.slice(-300)}`);
  return Number(m[2]) - Number(m[1]);
}

async function start(engine: Engine, vm: string): Promise<void> {
  const j = await engine.invoke('vm.action', { vm, action: 'start' });
  const done = await engine.waitJob(j.id, 300_000);
  if (done.state !== 'completed') throw new Error(`start ${vm}: ${JSON.stringify(done.error)}`);
}

async function benchDisk(engine: Engine, dir: string, kernel: string, initrd: string, sizeMiB: number, rounds: number): Promise<DevicesResult['disk']> {
  // Raw disks with non-zero data on both controllers; sizes differ by 8 MiB so the guest can tell them apart.
  const ide = join(dir, 'ide.img');
  const scsi = join(dir, 'scsi.img');
  for (const [file, size] of [[ide, sizeMiB], [scsi, sizeMiB + 8]] as const) {
    await run('qemu-img', ['create', '-f', 'raw', file, `${size}M`]);
    await run('qemu-io', ['-f', 'raw', '-c', `write -P 0x5a 0 ${size}M`, file]);
  }
  await engine.invoke('vm.create', {
    name: 'bench-disk',
    memoryMiB: 256,
    kernel: { path: kernel, initrd, append: guestAppend() },
    disk: { kind: 'existing', path: ide, bus: 'ide' },
  });
  await engine.invoke('vm.disk.attach', { vm: 'bench-disk', path: scsi, bus: 'scsi' });
  await start(engine, 'bench-disk');
  await waitForSerial(engine, 'bench-disk', /VIRIDIAN-GUEST-READY/);
  const dev = (mib: number) => `$(for d in /sys/block/sd*; do [ "$(cat $d/size)" = ${mib * 2048} ] && echo /dev/\${d##*/}; done)`;
  // Wait until both block devices are there.
  await guestOut(engine, 'bench-disk', `i=0; while [ -z "${dev(sizeMiB)}" -o -z "${dev(sizeMiB + 8)}" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1)); done`);
  const r: DevicesResult['disk'] = { sizeMiB, ideReadMiBs: [], scsiReadMiBs: [], ideWriteMiBs: [], scsiWriteMiBs: [], readRatio: 0, writeRatio: 0 };
  const read = (mib: number) => `sync; echo 3 >/proc/sys/vm/drop_caches; dd if=${dev(mib)} of=/dev/null bs=1M count=${sizeMiB} 2>/dev/null`;
  const write = (mib: number) => `dd if=/dev/zero of=${dev(mib)} bs=1M count=${sizeMiB} conv=fsync 2>/dev/null`;
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always meets a warm host cache.
    const order: ('ide' | 'scsi')[] = i % 2 === 0 ? ['ide', 'scsi'] : ['scsi', 'ide'];
    for (const which of order) {
      const mib = which === 'ide' ? sizeMiB : sizeMiB + 8;
      const tr = await timed(engine, 'bench-disk', read(mib));
      const tw = await timed(engine, 'bench-disk', write(mib));
      (which === 'ide' ? r.ideReadMiBs : r.scsiReadMiBs).push(sizeMiB / tr);
      (which === 'ide' ? r.ideWriteMiBs : r.scsiWriteMiBs).push(sizeMiB / tw);
    }
  }
  r.readRatio = median(r.scsiReadMiBs) / median(r.ideReadMiBs);
  r.writeRatio = median(r.scsiWriteMiBs) / median(r.ideWriteMiBs);
  const off = await engine.invoke('vm.action', { vm: 'bench-disk', action: 'turnOff' });
  await engine.waitJob(off.id);
  return r;
}

/** A host TCP sink: resolves with MiB/s once `bytes` arrived (first byte → last byte). */
function sink(bytes: number): Promise<{ port: number; result: Promise<number>; close: () => void }> {
  return new Promise((resolve) => {
    let done: (v: number) => void = () => undefined;
    const result = new Promise<number>((r) => (done = r));
    const server = createServer((sock: Socket) => {
      let got = 0;
      let t0 = 0;
      sock.on('data', (chunk: Buffer) => {
        if (got === 0) t0 = performance.now();
        got += chunk.length;
        if (got >= bytes) {
          const s = (performance.now() - t0) / 1000;
          done(bytes / MiB / s);
          sock.destroy();
        }
      });
      sock.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, result, close: () => server.close() }));
  });
}

async function benchNetwork(engine: Engine, kernel: string, initrd: string, sizeMiB: number, rounds: number): Promise<DevicesResult['network']> {
  for (const [name, kind] of [['bench-virtio', 'synthetic'], ['bench-e1000', 'legacy']] as const) {
    await engine.invoke('vm.create', { name, memoryMiB: 192, kernel: { path: kernel, initrd, append: guestAppend({ dhcp: true }) }, network: [{ kind, network: 'Default Switch' }] });
  }
  await start(engine, 'bench-virtio');
  await start(engine, 'bench-e1000');
  for (const vm of ['bench-virtio', 'bench-e1000']) await waitForSerial(engine, vm, /VIRIDIAN-IP 10\.0\.2\.15/, 180_000);
  const r: DevicesResult['network'] = { sizeMiB, e1000MiBs: [], virtioMiBs: [], ratio: 0 };
  const blocks = (sizeMiB * MiB) / 65536;
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['bench-e1000', 'bench-virtio'] as const) : (['bench-virtio', 'bench-e1000'] as const);
    for (const vm of order) {
      const s = await sink(sizeMiB * MiB);
      // The guest reaches the host's 127.0.0.1 as 10.0.2.2 through the NAT.
      const send = guestOut(engine, vm, `dd if=/dev/zero bs=65536 count=${blocks} 2>/dev/null | nc 10.0.2.2 ${s.port}`);
      let timer: NodeJS.Timeout | undefined;
      const mibs = await Promise.race([s.result, new Promise<number>((r) => (timer = setTimeout(() => r(NaN), 300_000)))]);
      clearTimeout(timer);
      await send.catch(() => undefined);
      s.close();
      (vm === 'bench-e1000' ? r.e1000MiBs : r.virtioMiBs).push(mibs);
    }
  }
  r.ratio = median(r.virtioMiBs) / median(r.e1000MiBs);
  for (const vm of ['bench-virtio', 'bench-e1000']) {
    const off = await engine.invoke('vm.action', { vm, action: 'turnOff' });
    await engine.waitJob(off.id);
  }
  return r;
}

export async function benchDevices(rounds = Number(process.env['BENCH_RUNS'] ?? 3)): Promise<{ text: string; json: DevicesResult }> {
  const guest = await ensureTestGuest();
  const legacy = await ensureLegacyGuest();
  const dir = await mkdtemp(join(tmpdir(), 'viridian-bench-dev-'));
  const engine = await openEngine({ dataDir: dir, storageRoots: [dir] });
  try {
    const k = join(dir, 'vmlinuz');
    const i = join(dir, 'initrd.img');
    const gk = join(dir, 'generic-vmlinuz');
    const gi = join(dir, 'generic-initrd.img');
    await Promise.all([copyFile(guest.kernel, k), copyFile(guest.initrd, i), copyFile(legacy.kernel, gk), copyFile(legacy.initrd, gi)]);
    const disk = await benchDisk(engine, dir, k, i, Number(process.env['BENCH_DISK_MIB'] ?? 128), rounds);
    const network = await benchNetwork(engine, gk, gi, Number(process.env['BENCH_NET_MIB'] ?? 16), rounds);
    const result: DevicesResult = { accelerator: engine.hostInfo.accelerator.kind, rounds, disk, network };
    return { text: formatDevices(result), json: result };
  } finally {
    for (const vm of engine.listSummaries()) {
      const pid = engine.getVm(vm.id).pid;
      if (pid) process.kill(pid, 'SIGKILL');
    }
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const f = (xs: number[]) => `${median(xs).toFixed(1)} MiB/s (${xs.map((x) => x.toFixed(1)).join(', ')})`;

export function formatDevices(r: DevicesResult): string {
  return [
    `Synthetic vs emulated devices — accelerator: ${r.accelerator}${r.accelerator === 'tcg' ? ' (software emulation: CPU-bound, ratios near 1 are expected)' : ''}; median of ${r.rounds} alternating rounds`,
    `  disk read  ${r.disk.sizeMiB} MiB: SCSI/virtio-scsi ${f(r.disk.scsiReadMiBs)} vs IDE ${f(r.disk.ideReadMiBs)} → ratio ${r.disk.readRatio.toFixed(2)}`,
    `  disk write ${r.disk.sizeMiB} MiB: SCSI/virtio-scsi ${f(r.disk.scsiWriteMiBs)} vs IDE ${f(r.disk.ideWriteMiBs)} → ratio ${r.disk.writeRatio.toFixed(2)}`,
    `  network guest→host ${r.network.sizeMiB} MiB over NAT: virtio-net ${f(r.network.virtioMiBs)} vs e1000 ${f(r.network.e1000MiBs)} → ratio ${r.network.ratio.toFixed(2)}`,
  ].join('\n');
}
