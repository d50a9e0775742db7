// What the host can offer virtual networks beyond user-mode NAT and loopback
// multicast segments, and the "host switch" that attaches the host to an
// Internal network.
//
// The host switch is a tiny QEMU process with no machine (`-M none`) that joins
// a TAP interface on the host and the network's multicast segment through a
// QEMU hub. The TAP gets the network's host address, so the host and the VMs
// talk IP to each other. Creating a TAP needs CAP_NET_ADMIN and /dev/net/tun;
// without them an Internal network works VM-to-VM only and says so.
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ViridianError, type NetworkCapabilities, type VirtualNetwork } from '../contract';
import { findExecutable } from '../common/paths';
import { netdevArg } from '../qemu/cmdline';
import { isPidAlive, launchQemu } from '../qemu/process';
import { sleep } from '../qemu/qmp';

const BRIDGE_HELPERS = ['/usr/lib/qemu/qemu-bridge-helper', '/usr/libexec/qemu-bridge-helper', '/usr/local/libexec/qemu-bridge-helper'];
const BRIDGE_CONF = '/etc/qemu/bridge.conf';
const CAP_NET_ADMIN = 12;

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(String(stderr).trim() || err.message));
      else resolve(String(stdout));
    });
  });
}

async function hasNetAdmin(): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  if (process.getuid?.() === 0) return true;
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
  } catch {
    return false;
  }
}

/** Linux bridges on this host (names under /sys/class/net with a bridge/ folder). */
export async function hostBridges(): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  const names = await readdir('/sys/class/net').catch(() => [] as string[]);
  return names.filter((n) => existsSync(`/sys/class/net/${n}/bridge`)).sort();
}

/** Bridges /etc/qemu/bridge.conf lets the helper use ("allow all" → every bridge). */
export function allowedBridges(conf: string, bridges: readonly string[]): string[] {
  const allowed = new Set<string>();
  const denied = new Set<string>();
  let all = false;
  for (const raw of conf.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(allow|deny)\s+(\S+)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'allow') {
      if (m[2] === 'all') all = true;
      else allowed.add(m[2] ?? '');
    } else if (m[2] === 'all') {
      all = false;
      allowed.clear();
    } else denied.add(m[2] ?? '');
  }
  return bridges.filter((b) => !denied.has(b) && (all || allowed.has(b)));
}

let cached: { at: number; caps: NetworkCapabilities } | null = null;

/** Probes (cached for a few seconds): bridge helper + ACL, and whether a host TAP can be made. */
export async function networkCapabilities(): Promise<NetworkCapabilities> {
  if (cached && Date.now() - cached.at < 5000) return cached.caps;
  const caps: NetworkCapabilities = {
    bridge: { available: false, reason: '', bridges: [] },
    hostInterface: { available: false, reason: '' },
  };
  if (process.platform !== 'linux') {
    caps.bridge.reason = 'Host bridges are supported on Linux hosts only; External networks use user-mode NAT here.';
    caps.hostInterface.reason = 'Attaching the host to an Internal network needs a Linux host (TAP devices).';
  } else {
    const helper = BRIDGE_HELPERS.find((h) => existsSync(h)) ?? null;
    const bridges = await hostBridges();
    const conf = await readFile(BRIDGE_CONF, 'utf8').catch(() => null);
    const usable = conf === null ? [] : allowedBridges(conf, bridges);
    caps.bridge.bridges = usable;
    if (!helper) caps.bridge.reason = 'qemu-bridge-helper is not installed (package qemu-system-common); External networks use user-mode NAT.';
    else if (bridges.length === 0) caps.bridge.reason = 'This host has no Linux bridge (e.g. br0 with the LAN port in it); External networks use user-mode NAT.';
    else if (conf === null) caps.bridge.reason = `${BRIDGE_CONF} does not exist, so QEMU's bridge helper may use no bridge. An administrator can add "allow ${bridges[0] ?? 'br0'}" to it.`;
    else if (usable.length === 0) caps.bridge.reason = `${BRIDGE_CONF} allows none of this host's bridges (${bridges.join(', ')}).`;
    else {
      caps.bridge.available = true;
      caps.bridge.reason = `Bridges QEMU may use: ${usable.join(', ')}.`;
    }

    const admin = await hasNetAdmin();
    const tun = await access('/dev/net/tun', constants.R_OK | constants.W_OK).then(
      () => true,
      () => false,
    );
    const ip = await findExecutable('ip', ['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
    if (!admin) caps.hostInterface.reason = 'The engine runs without CAP_NET_ADMIN (not as root), so it cannot create the host interface; VMs on Internal networks reach each other but not the host.';
    else if (!tun) caps.hostInterface.reason = '/dev/net/tun is missing or not writable; VMs on Internal networks reach each other but not the host.';
    else if (!ip) caps.hostInterface.reason = 'The ip command (package iproute2) is missing; VMs on Internal networks reach each other but not the host.';
    else {
      caps.hostInterface.available = true;
      caps.hostInterface.reason = 'The engine may create host TAP interfaces (CAP_NET_ADMIN and /dev/net/tun).';
    }
  }
  cached = { at: Date.now(), caps };
  return caps;
}

// ---------------------------------------------------------------- host switch

function switchDir(dataDir: string, net: VirtualNetwork): string {
  return join(dataDir, 'networks', net.id);
}

function switchTag(net: VirtualNetwork): string {
  return `viridian-switch-${net.id}`;
}

async function switchPid(dataDir: string, net: VirtualNetwork): Promise<number | null> {
  try {
    const pid = Number((await readFile(join(switchDir(dataDir, net), 'switch.pid'), 'utf8')).trim());
    if (!Number.isInteger(pid) || !isPidAlive(pid)) return null;
    // Guard against pid reuse: the process must carry this network's tag.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.split('\0').some((a) => a.includes(switchTag(net))) ? pid : null;
  } catch {
    return null;
  }
}

/** Whether the host interface of an Internal network is up now. */
export async function hostSwitchRunning(dataDir: string, net: VirtualNetwork): Promise<boolean> {
  return net.host !== null && (await switchPid(dataDir, net)) !== null && existsSync(`/sys/class/net/${net.host.ifname}`);
}

/** The QEMU arguments of a host switch (pure, for tests and "View Script"). */
export function hostSwitchArgs(net: VirtualNetwork, pidfile: string): string[] {
  if (!net.host || !net.segment) throw new ViridianError('INTERNAL', `Network ${net.name} has no host interface or segment.`);
  const seg = netdevArg('seg', { kind: 'mcast', group: net.segment.group, port: net.segment.basePort });
  return [
    '-name', switchTag(net),
    '-M', 'none', '-nodefaults', '-no-user-config', '-display', 'none',
    '-pidfile', pidfile,
    '-netdev', `tap,id=host,ifname=${net.host.ifname},script=no,downscript=no`,
    '-netdev', seg ?? '',
    '-netdev', 'hubport,id=p0,hubid=0,netdev=host',
    '-netdev', 'hubport,id=p1,hubid=0,netdev=seg',
  ];
}

/**
 * Starts the host switch of an Internal network (if the host allows it and it
 * is not running) and gives the host interface its address. Idempotent.
 * Returns null when attached, else why not.
 */
export async function ensureHostSwitch(dataDir: string, net: VirtualNetwork, qemuBinary: string): Promise<string | null> {
  if (net.kind !== 'internal' || !net.host) return null;
  const caps = await networkCapabilities();
  if (!caps.hostInterface.available) return caps.hostInterface.reason;
  const ip = (await findExecutable('ip', ['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) ?? 'ip';
  const dir = switchDir(dataDir, net);
  let pid = await switchPid(dataDir, net);
  if (pid === null) {
    await mkdir(dir, { recursive: true });
    const pidfile = join(dir, 'switch.pid');
    await rm(pidfile, { force: true });
    const proc = launchQemu(qemuBinary, hostSwitchArgs(net, pidfile), { cwd: dir, logFile: join(dir, 'switch.log') });
    const deadline = Date.now() + 10_000;
    while (!existsSync(`/sys/class/net/${net.host.ifname}`)) {
      if (!proc.isAlive() || Date.now() > deadline) {
        const log = await readFile(join(dir, 'switch.log'), 'utf8').catch(() => '');
        const last = log.trim().split('\n').filter((l) => !/no nics/.test(l)).pop() ?? 'no output';
        return `The host switch for "${net.name}" did not start: ${last}`;
      }
      await sleep(50);
    }
    pid = proc.pid;
  }
  try {
    await run(ip, ['addr', 'replace', net.host.address, 'dev', net.host.ifname]);
    await run(ip, ['link', 'set', 'dev', net.host.ifname, 'up']);
  } catch (err) {
    return `The host interface ${net.host.ifname} could not be configured: ${(err as Error).message}`;
  }
  return null;
}

/** Ends the host switch (its TAP interface goes with it). */
export async function stopHostSwitch(dataDir: string, net: VirtualNetwork): Promise<void> {
  const pid = await switchPid(dataDir, net);
  if (pid !== null) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 100 && isPidAlive(pid); i++) await sleep(20);
    if (isPidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await rm(switchDir(dataDir, net), { recursive: true, force: true });
}
