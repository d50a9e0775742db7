import { InvalidArgumentError, Option, type Command } from 'commander';
import { NETWORK_KIND_LABELS, ViridianError, adapterKindLabel, type NetworkAdapter, type NetworkList, type NetworkView, type VmDetail } from '../contract';
import type { CliContext, CommonOptions } from './main';
import { keyValues, table } from './output';
import { withClient } from './session';

function networkLines(n: NetworkView): string {
  const pairs: [string, string][] = [
    ['Name', n.name],
    ['Id', n.id],
    ['Kind', NETWORK_KIND_LABELS[n.kind]],
    ['How', n.realisation],
  ];
  if (n.kind === 'external') pairs.push(['Connection', n.external?.mode === 'bridge' ? `host bridge ${n.external.bridge ?? '?'}` : 'NAT']);
  if (n.host) pairs.push(['Host address', `${n.host.address} on ${n.host.ifname} (${n.hostAttached ? 'up' : 'not attached'})`]);
  if (n.warning) pairs.push(['Warning', n.warning]);
  pairs.push(['Adapters', n.adapters.length ? n.adapters.map((a) => `${a.vmName}/${a.adapterId} ${a.mac}${a.vlanId !== null ? ` VLAN ${a.vlanId}` : ''}`).join(', ') : 'none']);
  if (n.notes) pairs.push(['Notes', n.notes]);
  return keyValues(pairs);
}

function listText(l: NetworkList): string {
  const rows = l.networks.map((n) => [n.name, NETWORK_KIND_LABELS[n.kind], n.kind === 'external' ? (n.external?.mode === 'bridge' ? `bridge ${n.external.bridge ?? ''}` : 'NAT') : n.host ? `host ${n.host.address}${n.hostAttached ? '' : ' (not attached)'}` : 'VMs only', String(n.adapters.length)]);
  const lines = [table(['Name', 'Kind', 'Connection', 'Adapters'], rows)];
  lines.push('', `MAC address pool: ${l.macPool.first} – ${l.macPool.last} (${l.macPool.used} of ${l.macPool.size} in use)`);
  lines.push(`Host bridge: ${l.capabilities.bridge.reason}`);
  lines.push(`Host on Internal networks: ${l.capabilities.hostInterface.reason}`);
  for (const n of l.networks) if (n.warning) lines.push(`Warning (${n.name}): ${n.warning}`);
  return lines.join('\n');
}

function parseVlan(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 4094) throw new InvalidArgumentError('A VLAN id is a whole number from 1 to 4094.');
  return n;
}

function adapterRows(vm: VmDetail, nets: NetworkList | null): string {
  if (vm.config.network.length === 0) return `"${vm.name}" has no network adapters.`;
  const name = (ref: string | null) => (ref === null ? 'Not connected' : (nets?.networks.find((n) => n.id === ref || n.name === ref)?.name ?? ref));
  return table(
    ['Id', 'Adapter', 'Network', 'MAC', 'VLAN'],
    vm.config.network.map((a) => [a.id, adapterKindLabel(a.kind), name(a.network), `${a.mac} (${a.macMode})`, a.vlanId === null ? '' : String(a.vlanId)]),
  );
}

export function registerNetwork(program: Command, ctx: CliContext): void {
  const net = program.command('network').description('virtual networks (Virtual Network Manager): External, Internal, Private');

  ctx
    .common(net.command('list').description('list virtual networks, the MAC address pool and what this host allows'))
    .action((opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const l = await withClient(dataDir, (c) => c.call('network.list', {}));
        if (out.json) out.doc(l);
        else out.line(listText(l));
        return 0;
      }),
    );

  ctx
    .common(net.command('show').description('show one virtual network').argument('<NAME>', 'network name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const l = await withClient(dataDir, (c) => c.call('network.list', {}));
        const n = l.networks.find((x) => x.id === name) ?? l.networks.find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!n) {
          out.error({ code: 'NOT_FOUND', message: `There is no virtual network named "${name}".`, hint: 'Run `viridian network list` to see the names.' });
          return 1;
        }
        if (out.json) out.doc(n);
        else out.line(networkLines(n));
        return 0;
      }),
    );

  const create = ctx
    .common(net.command('create').description('create a virtual network').argument('<NAME>', 'its name'))
    .addOption(new Option('--kind <KIND>', 'external (reaches outside), internal (VMs and this host), private (VMs only)').choices(['external', 'internal', 'private']).makeOptionMandatory())
    .option('--bridge <BRIDGE>', 'external: use this host bridge instead of NAT (needs qemu-bridge-helper and /etc/qemu/bridge.conf)')
    .option('--host-address <CIDR>', 'internal: the host\'s address, e.g. 10.200.1.1/24 (default: a free 10.x.y.1/24)')
    .option('--notes <TEXT>', 'notes');
  create.action((name: string, opts: CommonOptions & { kind: 'external' | 'internal' | 'private'; bridge?: string; hostAddress?: string; notes?: string }) =>
    ctx.run(opts, async (out, dataDir) => {
      if (opts.bridge !== undefined && opts.kind !== 'external') ctx.usage(create, '--bridge is for --kind external.');
      if (opts.hostAddress !== undefined && opts.kind !== 'internal') ctx.usage(create, '--host-address is for --kind internal.');
      const n = await withClient(dataDir, (c) =>
        c.call('network.create', {
          name,
          kind: opts.kind,
          ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
          ...(opts.bridge !== undefined ? { external: { mode: 'bridge', bridge: opts.bridge } } : {}),
          ...(opts.hostAddress !== undefined ? { hostAddress: opts.hostAddress } : {}),
        }),
      );
      if (out.json) out.doc(n);
      else out.line(`Created ${NETWORK_KIND_LABELS[n.kind]} network "${n.name}".\n${networkLines(n)}`);
      return 0;
    }),
  );

  ctx
    .common(net.command('rename').description('rename a virtual network (connected adapters stay connected)').argument('<NAME>', 'network name or id').argument('<NEWNAME>', 'the new name'))
    .action((name: string, newName: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const n = await withClient(dataDir, (c) => c.call('network.update', { network: name, name: newName }));
        if (out.json) out.doc(n);
        else out.line(`Renamed "${name}" to "${n.name}".`);
        return 0;
      }),
    );

  const set = ctx
    .common(net.command('set').description('change a virtual network: NAT or bridge (external), host address (internal), notes').argument('<NAME>', 'network name or id'))
    .option('--nat', 'external: user-mode NAT')
    .option('--bridge <BRIDGE>', 'external: this host bridge')
    .option('--host-address <CIDR>', 'internal: the host\'s address')
    .option('--notes <TEXT>', 'notes');
  set.action((name: string, opts: CommonOptions & { nat?: boolean; bridge?: string; hostAddress?: string; notes?: string }) =>
    ctx.run(opts, async (out, dataDir) => {
      if (opts.nat && opts.bridge !== undefined) ctx.usage(set, 'Choose --nat or --bridge, not both.');
      if (!opts.nat && opts.bridge === undefined && opts.hostAddress === undefined && opts.notes === undefined) ctx.usage(set, 'Nothing to change: give --nat, --bridge, --host-address or --notes.');
      const n = await withClient(dataDir, (c) =>
        c.call('network.update', {
          network: name,
          ...(opts.nat ? { external: { mode: 'nat', bridge: null } } : {}),
          ...(opts.bridge !== undefined ? { external: { mode: 'bridge', bridge: opts.bridge } } : {}),
          ...(opts.hostAddress !== undefined ? { hostAddress: opts.hostAddress } : {}),
          ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
        }),
      );
      if (out.json) out.doc(n);
      else out.line(networkLines(n));
      return 0;
    }),
  );

  ctx
    .common(net.command('delete').description('delete a virtual network (refused while adapters are connected)').argument('<NAME>', 'network name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const r = await withClient(dataDir, (c) => c.call('network.delete', { network: name }));
        if (out.json) out.doc(r);
        else out.line(`Deleted the virtual network "${name}".`);
        return 0;
      }),
    );

  const pool = ctx
    .common(net.command('mac-pool').description('show or set the range of dynamic MAC addresses'))
    .option('--first <MAC>', 'first address of the pool')
    .option('--last <MAC>', 'last address of the pool');
  pool.action((opts: CommonOptions & { first?: string; last?: string }) =>
    ctx.run(opts, async (out, dataDir) => {
      if ((opts.first === undefined) !== (opts.last === undefined)) ctx.usage(pool, 'Give both --first and --last, or neither.');
      const view = await withClient(dataDir, async (c) => (opts.first !== undefined && opts.last !== undefined ? c.call('network.setMacPool', { first: opts.first.toLowerCase(), last: opts.last.toLowerCase() }) : (await c.call('network.list', {})).macPool));
      if (out.json) out.doc(view);
      else out.line(`MAC address pool: ${view.first} – ${view.last} (${view.used} of ${view.size} in use)`);
      return 0;
    }),
  );

  registerVmNic(program, ctx);
}

/** viridian vm nic list|add|set|remove: network adapters of a VM (changed while it is off). */
function registerVmNic(program: Command, ctx: CliContext): void {
  const vm = program.commands.find((c) => c.name() === 'vm') ?? program.command('vm');
  const nic = vm.command('nic').description('network adapters of a VM (synthetic or legacy; changes need the VM off)');

  const update = async (dataDir: string, name: string, change: (adapters: NetworkAdapter[]) => NetworkAdapter[]) =>
    withClient(dataDir, async (c) => {
      const d = await c.call('vm.get', { vm: name });
      const updated = await c.call('vm.update', { vm: name, changes: { network: change(d.config.network) } });
      return { vm: updated, nets: await c.call('network.list', {}) };
    });

  ctx
    .common(nic.command('list').description('list the VM\'s network adapters').argument('<NAME>', 'VM name or id'))
    .action((name: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const { d, nets } = await withClient(dataDir, async (c) => ({ d: await c.call('vm.get', { vm: name }), nets: await c.call('network.list', {}) }));
        if (out.json) out.doc(d.config.network);
        else out.line(adapterRows(d, nets));
        return 0;
      }),
    );

  ctx
    .common(nic.command('add').description('add a network adapter').argument('<NAME>', 'VM name or id'))
    .option('--network <NETWORK>', 'virtual network name or id (default: not connected)')
    .option('--legacy', 'Legacy Network Adapter (emulated e1000, PXE boot) instead of the synthetic one')
    .option('--mac <MAC>', 'static MAC address (default: dynamic, from the pool)')
    .option('--vlan <ID>', 'VLAN id 1–4094', parseVlan)
    .action((name: string, opts: CommonOptions & { network?: string; legacy?: boolean; mac?: string; vlan?: number }) =>
      ctx.run(opts, async (out, dataDir) => {
        const { vm: d, nets } = await update(dataDir, name, (list) => {
          let i = list.length;
          while (list.some((a) => a.id === `nic${i}`)) i++;
          return [...list, { id: `nic${i}`, kind: opts.legacy ? 'legacy' : 'synthetic', network: opts.network ?? null, macMode: opts.mac ? 'static' : 'dynamic', mac: opts.mac?.toLowerCase() ?? '00:00:00:00:00:00', vlanId: opts.vlan ?? null }];
        });
        if (out.json) out.doc(d.config.network);
        else out.line(adapterRows(d, nets));
        return 0;
      }),
    );

  const setCmd = ctx
    .common(nic.command('set').description('change a network adapter').argument('<NAME>', 'VM name or id').argument('<NIC>', 'adapter id (see vm nic list)'))
    .option('--network <NETWORK>', 'connect to this virtual network')
    .option('--disconnect', 'not connected')
    .option('--mac <MAC>', 'static MAC address')
    .option('--dynamic-mac', 'a dynamic MAC address from the pool')
    .option('--vlan <ID>', 'VLAN id 1–4094', parseVlan)
    .option('--no-vlan', 'no VLAN');
  setCmd.action((name: string, id: string, opts: CommonOptions & { network?: string; disconnect?: boolean; mac?: string; dynamicMac?: boolean; vlan?: number | false }) =>
    ctx.run(opts, async (out, dataDir) => {
      if (opts.network !== undefined && opts.disconnect) ctx.usage(setCmd, 'Choose --network or --disconnect, not both.');
      if (opts.mac !== undefined && opts.dynamicMac) ctx.usage(setCmd, 'Choose --mac or --dynamic-mac, not both.');
      let found = false;
      const { vm: d, nets } = await update(dataDir, name, (list) =>
        list.map((a) => {
          if (a.id !== id) return a;
          found = true;
          return {
            ...a,
            ...(opts.network !== undefined ? { network: opts.network } : {}),
            ...(opts.disconnect ? { network: null } : {}),
            ...(opts.mac !== undefined ? { macMode: 'static' as const, mac: opts.mac.toLowerCase() } : {}),
            ...(opts.dynamicMac ? { macMode: 'dynamic' as const } : {}),
            ...(opts.vlan !== undefined ? { vlanId: opts.vlan === false ? null : opts.vlan } : {}),
          };
        }),
      );
      if (!found) {
        out.error({ code: 'NOT_FOUND', message: `"${name}" has no network adapter ${id}.`, hint: `Run \`viridian vm nic list ${name}\`.` });
        return 1;
      }
      if (out.json) out.doc(d.config.network);
      else out.line(adapterRows(d, nets));
      return 0;
    }),
  );

  ctx
    .common(nic.command('remove').description('remove a network adapter').argument('<NAME>', 'VM name or id').argument('<NIC>', 'adapter id'))
    .action((name: string, id: string, opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const { vm: d, nets } = await update(dataDir, name, (list) => {
          if (!list.some((a) => a.id === id)) throw new ViridianError('NOT_FOUND', `"${name}" has no network adapter ${id}.`, `Run \`viridian vm nic list ${name}\`.`);
          return list.filter((a) => a.id !== id);
        });
        if (out.json) out.doc(d.config.network);
        else out.line(adapterRows(d, nets));
        return 0;
      }),
    );
}
