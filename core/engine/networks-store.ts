// The host's virtual networks and MAC pool: <dataDir>/networks.json.
import { randomInt, randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type {
  CreateNetworkParamsSchema} from '../contract';
import {
  NETWORKS_FILE_VERSION,
  NetworksFileSchema,
  ViridianError,
  type MacPool,
  type MacPoolView,
  type NetworkAdapter,
  type NetworkList,
  type NetworkView,
  type NetworksFile,
  type VirtualNetwork,
  type VmConfig,
} from '../contract';
import type { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../common/atomic';
import type { NetBackend } from '../qemu/cmdline';
import type { EngineContext } from './context';
import { allocateFromPool, checkMacPool, defaultMacPool, macProblem, normalizeMac, poolSize } from './networks-mac';
import { ensureHostSwitch, hostSwitchRunning, networkCapabilities, stopHostSwitch } from './networks-host';

export const NETWORKS_FILE = 'networks.json';
export const DEFAULT_NETWORK_ID = 'default';
export const DEFAULT_NETWORK_NAME = 'Default Switch';
/** How long a MAC handed out stays reserved before a config must hold it (create/update in flight). */
const RESERVE_MS = 120_000;

type CreateParams = z.output<typeof CreateNetworkParamsSchema>;

function defaultNetwork(): VirtualNetwork {
  return {
    id: DEFAULT_NETWORK_ID,
    name: DEFAULT_NETWORK_NAME,
    kind: 'external',
    notes: 'Created with the host: user-mode NAT to the outside (no privileges needed).',
    external: { mode: 'nat', bridge: null },
    segment: null,
    host: null,
    aliases: [],
    createdAt: new Date().toISOString(),
  };
}

/** Port of an adapter's segment: the network's base for untagged, base + VLAN id otherwise. */
export function segmentPort(net: VirtualNetwork, vlanId: number | null): number {
  return (net.segment?.basePort ?? 0) + (vlanId ?? 0);
}

function kindLabel(net: VirtualNetwork): string {
  return net.kind === 'external' ? 'External' : net.kind === 'internal' ? 'Internal' : 'Private';
}

/** One store per engine (by its context); all writes go through a queue. */
export class NetworkStore {
  private file: NetworksFile | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reserved = new Map<string, number>();

  constructor(private readonly ctx: EngineContext) {}

  private get path(): string {
    return join(this.ctx.dataDir, NETWORKS_FILE);
  }

  /** Reads networks.json, creating it (with the Default Switch) on a fresh host. */
  async load(): Promise<NetworksFile> {
    if (this.file) return this.file;
    let raw: unknown = null;
    try {
      raw = await readJsonFile(this.path);
    } catch (err) {
      if (!(err instanceof ViridianError && err.code === 'NOT_FOUND') && (err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const parsed = err instanceof ViridianError ? err : null;
        if (parsed) throw new ViridianError('CONFIG_CORRUPT', `${this.path} could not be read: ${parsed.message}`, 'Fix the file, or move it away: a new one with only the Default Switch is made, and adapters on other networks must be reconnected in Settings.');
        throw err;
      }
    }
    if (raw === null) {
      const fresh: NetworksFile = { version: NETWORKS_FILE_VERSION, macPool: defaultMacPool(), networks: [defaultNetwork()] };
      await writeJsonAtomic(this.path, fresh);
      this.file = fresh;
      return fresh;
    }
    const parsed = NetworksFileSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ViridianError('CONFIG_CORRUPT', `${this.path} is not a valid networks file: ${first ? `${first.path.join('.')}: ${first.message}` : 'unknown problem'}.`, 'Fix the file by hand or restore it from a backup.');
    }
    this.file = parsed.data;
    return this.file;
  }

  private mutate<T>(fn: (file: NetworksFile) => Promise<T> | T): Promise<T> {
    const next = this.queue.then(async () => {
      const current = await this.load();
      const copy = structuredClone(current);
      const result = await fn(copy);
      await writeJsonAtomic(this.path, copy);
      this.file = copy;
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** By id, else by name (case-insensitive). */
  /**
   * By id, else by name (case-insensitive), else by an earlier name. Adapters
   * store the network's name, as Hyper-V matches virtual switches by name when
   * a VM moves between hosts; renames update the configs and keep the old name
   * as an alias, so a config missed by a crash mid-rename still resolves.
   */
  async find(ref: string): Promise<VirtualNetwork | null> {
    const file = await this.load();
    const lower = ref.toLowerCase();
    return (
      file.networks.find((n) => n.id === ref) ??
      file.networks.find((n) => n.name.toLowerCase() === lower) ??
      file.networks.find((n) => n.aliases.some((a) => a.toLowerCase() === lower)) ??
      null
    );
  }

  private static refersTo(net: VirtualNetwork, ref: string): boolean {
    const lower = ref.toLowerCase();
    return ref === net.id || net.name.toLowerCase() === lower || net.aliases.some((a) => a.toLowerCase() === lower);
  }

  async get(ref: string): Promise<VirtualNetwork> {
    const net = await this.find(ref);
    if (!net) {
      const names = (await this.load()).networks.map((n) => n.name).join(', ');
      throw new ViridianError('NOT_FOUND', `There is no virtual network named "${ref}".`, `Networks on this host: ${names || 'none'}. Create one in Virtual Network Manager or with \`viridian network create\`.`);
    }
    return net;
  }

  // ------------------------------------------------------------ views

  async list(): Promise<NetworkList> {
    const file = await this.load();
    const caps = await networkCapabilities();
    const networks = await Promise.all(file.networks.map((n) => this.view(n)));
    return { networks, macPool: this.poolView(file.macPool), capabilities: caps };
  }

  private poolView(pool: MacPool): MacPoolView {
    const used = this.usedMacs();
    const a = parseInt(pool.first.replace(/:/g, ''), 16);
    const b = parseInt(pool.last.replace(/:/g, ''), 16);
    let inPool = 0;
    for (const m of used) {
      const n = parseInt(m.replace(/:/g, ''), 16);
      if (n >= a && n <= b) inPool++;
    }
    return { ...pool, size: poolSize(pool), used: inPool };
  }

  async view(net: VirtualNetwork): Promise<NetworkView> {
    const adapters: NetworkView['adapters'] = [];
    for (const vm of this.ctx.vms()) {
      for (const a of vm.config.network) {
        if (a.network !== null && NetworkStore.refersTo(net, a.network)) {
          adapters.push({ vmId: vm.id, vmName: vm.name, adapterId: a.id, kind: a.kind, mac: a.mac, vlanId: a.vlanId });
        }
      }
    }
    const caps = await networkCapabilities();
    let realisation: string;
    let hostAttached: boolean | null = null;
    const warnings: string[] = [];
    if (net.kind === 'external') {
      if (net.external?.mode === 'bridge') {
        realisation = `Host bridge ${net.external.bridge ?? '?'} through QEMU's bridge helper: VMs appear on the host's LAN.`;
        if (!caps.bridge.available || !caps.bridge.bridges.includes(net.external.bridge ?? '')) warnings.push(`The bridge cannot be used now: ${caps.bridge.reason} VMs on this network will not start until it can.`);
      } else {
        realisation = 'User-mode NAT (QEMU slirp): each adapter gets 10.0.2.15 by DHCP behind its own NAT, the host is 10.0.2.2; VMs on it do not see each other.';
      }
      if (adapters.some((a) => a.vlanId !== null)) warnings.push('VLAN ids are not applied on External networks.');
    } else {
      const seg = net.segment ? `${net.segment.group}:${net.segment.basePort}` : '?';
      realisation = `Ethernet segment over UDP multicast ${seg} on the loopback interface (VLAN n uses port base + n, so VLANs do not hear each other).`;
      if (net.kind === 'internal' && net.host) {
        hostAttached = await hostSwitchRunning(this.ctx.dataDir, net);
        realisation += ` The host is ${net.host.address} on interface ${net.host.ifname}.`;
        if (!caps.hostInterface.available) warnings.push(caps.hostInterface.reason);
      }
    }
    return { ...net, adapters, realisation, hostAttached, warning: warnings.length ? warnings.join(' ') : null };
  }

  // ------------------------------------------------------------ create / update / delete

  async create(p: CreateParams): Promise<NetworkView> {
    const caps = await networkCapabilities();
    const created = await this.mutate(async (file) => {
      this.checkNameFree(file, p.name);
      if (p.kind !== 'external' && p.external) throw new ViridianError('INVALID_INPUT', 'Only External networks have NAT or bridge settings.');
      if (p.kind !== 'internal' && p.hostAddress) throw new ViridianError('INVALID_INPUT', 'Only Internal networks have a host address.');
      const net: VirtualNetwork = {
        id: randomUUID(),
        name: p.name,
        kind: p.kind,
        notes: p.notes,
        external: null,
        segment: null,
        host: null,
        aliases: [],
        createdAt: new Date().toISOString(),
      };
      if (p.kind === 'external') net.external = this.checkExternal(p.external ?? { mode: 'nat', bridge: null }, caps);
      else net.segment = this.newSegment(file);
      if (p.kind === 'internal') net.host = { ifname: this.newIfname(file), address: p.hostAddress ?? this.newHostAddress(file) };
      if (p.hostAddress) this.checkHostAddress(file, p.hostAddress, null);
      file.networks.push(net);
      this.takeName(file, net);
      return net;
    });
    await this.attachHost(created);
    this.ctx.emit('network.changed', { id: created.id });
    return this.view(created);
  }

  async update(p: { network: string; name?: string | undefined; notes?: string | undefined; external?: { mode: 'nat' | 'bridge'; bridge: string | null } | undefined; hostAddress?: string | undefined }): Promise<NetworkView> {
    const target = await this.get(p.network);
    const caps = await networkCapabilities();
    const updated = await this.mutate((file) => {
      const net = file.networks.find((n) => n.id === target.id);
      if (!net) throw new ViridianError('NOT_FOUND', `The network "${p.network}" was deleted meanwhile.`);
      if (p.name !== undefined && p.name.toLowerCase() !== net.name.toLowerCase()) this.checkNameFree(file, p.name);
      if (p.name !== undefined && p.name !== net.name) {
        net.aliases = [...net.aliases.filter((a) => a.toLowerCase() !== net.name.toLowerCase()), net.name];
        net.name = p.name;
        this.takeName(file, net);
      }
      if (p.notes !== undefined) net.notes = p.notes;
      if (p.external !== undefined) {
        if (net.kind !== 'external') throw new ViridianError('INVALID_INPUT', `"${net.name}" is ${kindLabel(net)}; only External networks have NAT or bridge settings.`);
        net.external = this.checkExternal(p.external, caps);
      }
      if (p.hostAddress !== undefined) {
        if (net.kind !== 'internal' || !net.host) throw new ViridianError('INVALID_INPUT', `"${net.name}" is ${kindLabel(net)}; only Internal networks have a host address.`);
        this.checkHostAddress(file, p.hostAddress, net.id);
        net.host = { ...net.host, address: p.hostAddress };
      }
      return net;
    });
    if (p.hostAddress !== undefined) await this.attachHost(updated);
    if (p.name !== undefined) await this.renameInConfigs(updated);
    this.ctx.emit('network.changed', { id: updated.id });
    return this.view(updated);
  }

  async delete(ref: string): Promise<{ deleted: boolean; id: string }> {
    const target = await this.get(ref);
    const view = await this.view(target);
    if (view.adapters.length > 0) {
      const who = [...new Set(view.adapters.map((a) => `"${a.vmName}"`))].join(', ');
      throw new ViridianError(
        'INVALID_STATE',
        `The network "${target.name}" still has ${view.adapters.length} adapter${view.adapters.length === 1 ? '' : 's'} connected (${who}).`,
        'Connect those adapters to another network (or to none) in the VMs’ settings, then delete the network.',
      );
    }
    await this.mutate((file) => {
      file.networks = file.networks.filter((n) => n.id !== target.id);
    });
    if (target.kind === 'internal') await stopHostSwitch(this.ctx.dataDir, target);
    this.ctx.emit('network.changed', { id: target.id });
    return { deleted: true, id: target.id };
  }

  async setMacPool(pool: MacPool): Promise<MacPoolView> {
    const checked = checkMacPool(pool);
    await this.mutate((file) => {
      file.macPool = checked;
    });
    this.ctx.emit('network.changed', { id: null });
    return this.poolView(checked);
  }

  /** A name now belongs to `net`: it stops being another network's alias (and `net`'s own). */
  private takeName(file: NetworksFile, net: VirtualNetwork): void {
    const lower = net.name.toLowerCase();
    for (const n of file.networks) n.aliases = n.aliases.filter((a) => a.toLowerCase() !== lower);
  }

  /** Adapters name their network: after a rename every VM's config follows (running ones too; QEMU is not affected). */
  private async renameInConfigs(net: VirtualNetwork): Promise<void> {
    for (const vm of this.ctx.vms()) {
      if (!vm.config.network.some((a) => a.network !== null && a.network !== net.name && NetworkStore.refersTo(net, a.network))) continue;
      const network = vm.config.network.map((a) => (a.network !== null && NetworkStore.refersTo(net, a.network) ? { ...a, network: net.name } : a));
      await vm.saveConfig({ ...vm.config, network }).catch((err: unknown) => this.ctx.log(`rename network in ${vm.name}: ${String(err)}`));
    }
  }

  private checkNameFree(file: NetworksFile, name: string): void {
    if (file.networks.some((n) => n.name.toLowerCase() === name.toLowerCase())) {
      throw new ViridianError('NAME_TAKEN', `A virtual network named "${name}" already exists.`, 'Choose another name.');
    }
  }

  private checkExternal(ext: { mode: 'nat' | 'bridge'; bridge: string | null }, caps: Awaited<ReturnType<typeof networkCapabilities>>) {
    if (ext.mode === 'nat') return { mode: 'nat' as const, bridge: null };
    if (!ext.bridge) throw new ViridianError('INVALID_INPUT', 'A bridged External network needs the name of a host bridge.', caps.bridge.bridges.length ? `Bridges QEMU may use: ${caps.bridge.bridges.join(', ')}.` : caps.bridge.reason);
    if (!caps.bridge.available || !caps.bridge.bridges.includes(ext.bridge)) {
      throw new ViridianError('UNSUPPORTED', `The host bridge ${ext.bridge} cannot be used: ${caps.bridge.reason}`, 'Use NAT instead, or have an administrator set up the bridge and /etc/qemu/bridge.conf.');
    }
    return { mode: 'bridge' as const, bridge: ext.bridge };
  }

  private newSegment(file: NetworksFile): { group: string; basePort: number } {
    // A random group in 239.192.0.0/14 (organisation-local scope) and port: two data dirs on one host
    // (tests, several users) almost never share a segment; within one file it is checked.
    for (;;) {
      const r = randomInt(1, 1 << 18);
      const group = `239.${192 + (r >> 16)}.${(r >> 8) & 255}.${r & 255}`;
      const basePort = randomInt(20_000, 60_000 - 4095);
      if (!file.networks.some((n) => n.segment?.group === group)) return { group, basePort };
    }
  }

  private newIfname(file: NetworksFile): string {
    for (;;) {
      const name = `vir${randomInt(0, 1 << 24).toString(16).padStart(6, '0')}`;
      if (!file.networks.some((n) => n.host?.ifname === name) && !(name in networkInterfaces())) return name;
    }
  }

  private newHostAddress(file: NetworksFile): string {
    for (;;) {
      const addr = `10.${randomInt(200, 240)}.${randomInt(0, 256)}.1/24`;
      try {
        this.checkHostAddress(file, addr, null);
        return addr;
      } catch {
        /* taken: try another */
      }
    }
  }

  /** The /24 (or given prefix) must not overlap another Internal network or an address of this host. */
  private checkHostAddress(file: NetworksFile, address: string, exceptId: string | null): void {
    const [ip, prefix] = address.split('/');
    const mask = Number(prefix);
    const toNum = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const net = (s: string, m: number) => Math.floor(toNum(s) / 2 ** (32 - m));
    for (const n of file.networks) {
      if (n.id === exceptId || !n.host) continue;
      const [oip, op] = n.host.address.split('/');
      const m = Math.min(mask, Number(op));
      if (net(ip ?? '', m) === net(oip ?? '', m)) {
        throw new ViridianError('INVALID_INPUT', `${address} overlaps the Internal network "${n.name}" (${n.host.address}).`, 'Choose another subnet.');
      }
    }
    for (const [ifname, addrs] of Object.entries(networkInterfaces())) {
      if (file.networks.some((n) => n.host?.ifname === ifname)) continue;
      for (const a of addrs ?? []) {
        if (a.family !== 'IPv4' || a.internal) continue;
        const m = Math.min(mask, a.cidr ? Number(a.cidr.split('/')[1]) : 32);
        if (net(ip ?? '', m) === net(a.address, m)) {
          throw new ViridianError('INVALID_INPUT', `${address} overlaps ${a.address} on the host's interface ${ifname}.`, 'Choose another subnet.');
        }
      }
    }
  }

  /** Starts the host side of an Internal network where the host allows it; never fails the caller. */
  private async attachHost(net: VirtualNetwork): Promise<void> {
    if (net.kind !== 'internal') return;
    let binary: string;
    try {
      binary = this.ctx.vmHost.qemuBinary();
    } catch {
      return;
    }
    const why = await ensureHostSwitch(this.ctx.dataDir, net, binary);
    if (why) this.ctx.log(`network ${net.name}: ${why}`);
  }

  /** Starts host switches of Internal networks at engine start (they may have ended with the host). */
  async attachAllHosts(): Promise<void> {
    const file = await this.load();
    for (const n of file.networks) if (n.kind === 'internal') await this.attachHost(n);
  }

  // ------------------------------------------------------------ adapters and MACs

  private usedMacs(exceptVmId: string | null = null): Set<string> {
    const used = new Set<string>();
    for (const vm of this.ctx.vms()) {
      if (vm.id === exceptVmId) continue;
      for (const a of vm.config.network) used.add(normalizeMac(a.mac));
    }
    const now = Date.now();
    for (const [mac, until] of this.reserved) {
      if (until < now) this.reserved.delete(mac);
      else used.add(mac);
    }
    return used;
  }

  /**
   * Checks and completes a VM's adapters: network names become ids, dynamic
   * adapters get (or keep) an address from the pool, static ones must be
   * valid unicast addresses; no address is used twice on this host.
   */
  async normalizeAdapters(vmId: string | null, previous: readonly NetworkAdapter[], next: readonly NetworkAdapter[]): Promise<NetworkAdapter[]> {
    if (next.length === 0) return [];
    const file = await this.load();
    const others = this.usedMacs(vmId);
    // Our own earlier reservations count as others' only if not this VM's current addresses.
    const mine = new Set(previous.map((a) => normalizeMac(a.mac)));
    for (const m of mine) others.delete(m);
    for (const vm of this.ctx.vms()) if (vm.id !== vmId) for (const a of vm.config.network) others.add(normalizeMac(a.mac));
    const taken = new Set<string>();
    const ids = new Set<string>();
    const out: NetworkAdapter[] = [];
    const owner = (mac: string): string => {
      for (const vm of this.ctx.vms()) if (vm.id !== vmId && vm.config.network.some((a) => normalizeMac(a.mac) === mac)) return `"${vm.name}"`;
      return 'an adapter being created';
    };
    for (const a of next) {
      if (ids.has(a.id)) throw new ViridianError('INVALID_INPUT', `Two network adapters have the id ${a.id}.`);
      ids.add(a.id);
      let network: string | null = null;
      if (a.network !== null) network = (await this.get(a.network)).name;
      let mac = normalizeMac(a.mac);
      if (a.macMode === 'static') {
        const problem = macProblem(mac);
        if (problem) throw new ViridianError('INVALID_INPUT', problem, 'Enter an address like 52:54:00:12:34:56, or choose Dynamic.');
        if (taken.has(mac)) throw new ViridianError('INVALID_INPUT', `The MAC address ${mac} is used twice.`, 'Give each adapter its own address, or set it to dynamic.');
        if (others.has(mac)) throw new ViridianError('INVALID_INPUT', `The MAC address ${mac} is already used by ${owner(mac)} on this host.`, 'Choose another address, or set the adapter to dynamic.');
      } else {
        const before = previous.find((p) => p.id === a.id);
        const keep = before && normalizeMac(before.mac) === mac && !others.has(mac) && !taken.has(mac) && macProblem(mac) === null;
        if (!keep) {
          mac = allocateFromPool(file.macPool, new Set([...others, ...taken]));
          this.reserved.set(mac, Date.now() + RESERVE_MS);
        }
      }
      taken.add(mac);
      out.push({ ...a, network, mac });
    }
    return out;
  }

  /** Adapter id → how QEMU connects it; starts Internal networks' host side when it can. */
  async backends(config: VmConfig): Promise<Record<string, NetBackend>> {
    const out: Record<string, NetBackend> = {};
    const caps = await networkCapabilities();
    for (const a of config.network) {
      if (a.network === null) {
        out[a.id] = { kind: 'none' };
        continue;
      }
      const net = await this.find(a.network);
      if (!net) {
        throw new ViridianError(
          'NOT_FOUND',
          `"${config.name}" cannot start: its network adapter ${a.id} is connected to "${a.network}", which is not a virtual network on this host.`,
          'Open Settings ▸ Network Adapter and choose a network (or Not connected); `viridian network list` shows them.',
        );
      }
      if (net.kind === 'external') {
        if (net.external?.mode === 'bridge' && net.external.bridge) {
          if (!caps.bridge.available || !caps.bridge.bridges.includes(net.external.bridge)) {
            throw new ViridianError('UNSUPPORTED', `"${config.name}" cannot start: the network "${net.name}" uses the host bridge ${net.external.bridge}, which QEMU may not use now. ${caps.bridge.reason}`, `Switch "${net.name}" to NAT in Virtual Network Manager, or fix the bridge.`);
          }
          out[a.id] = { kind: 'bridge', bridge: net.external.bridge };
        } else {
          out[a.id] = { kind: 'user' };
        }
        continue;
      }
      if (!net.segment) throw new ViridianError('CONFIG_CORRUPT', `The network "${net.name}" has no segment in ${this.path}.`);
      if (net.kind === 'internal') await this.attachHost(net);
      out[a.id] = { kind: 'mcast', group: net.segment.group, port: segmentPort(net, a.vlanId) };
    }
    return out;
  }
}

const stores = new WeakMap<EngineContext, NetworkStore>();

/** The network store of an engine. */
export function networksFor(ctx: EngineContext): NetworkStore {
  let s = stores.get(ctx);
  if (!s) {
    s = new NetworkStore(ctx);
    stores.set(ctx, s);
  }
  return s;
}
