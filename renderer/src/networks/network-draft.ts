import {
  BridgeNameSchema,
  HostAddressSchema,
  MAC_RE,
  NetworkNameSchema,
  type MethodParams,
  type NetworkKind,
  type NetworkList,
  type NetworkView,
} from '../../../core/contract';

/** One network as the Virtual Network Manager edits it (new ones have no id yet). */
export interface NetworkDraft {
  key: string;
  id: string | null;
  name: string;
  kind: NetworkKind;
  notes: string;
  mode: 'nat' | 'bridge';
  bridge: string;
  hostAddress: string;
  removed: boolean;
  /** What the engine last said (null for new ones). */
  saved: NetworkView | null;
}

export interface ManagerDraft {
  networks: NetworkDraft[];
  poolFirst: string;
  poolLast: string;
}

export function draftFrom(list: NetworkList): ManagerDraft {
  return {
    networks: list.networks.map((n) => ({
      key: n.id,
      id: n.id,
      name: n.name,
      kind: n.kind,
      notes: n.notes,
      mode: n.external?.mode ?? 'nat',
      bridge: n.external?.bridge ?? '',
      hostAddress: n.host?.address ?? '',
      removed: false,
      saved: n,
    })),
    poolFirst: list.macPool.first,
    poolLast: list.macPool.last,
  };
}

let nextKey = 1;
export function newNetwork(kind: NetworkKind, taken: readonly string[]): NetworkDraft {
  const base = 'New Virtual Network';
  let name = base;
  for (let i = 2; taken.some((t) => t.toLowerCase() === name.toLowerCase()); i++) name = `${base} ${i}`;
  return { key: `new-${nextKey++}`, id: null, name, kind, notes: '', mode: 'nat', bridge: '', hostAddress: '', removed: false, saved: null };
}

export type NetworkErrors = Partial<Record<'name' | 'bridge' | 'hostAddress', string>>;

export function validateNetwork(d: NetworkDraft, all: readonly NetworkDraft[]): NetworkErrors {
  const e: NetworkErrors = {};
  const n = NetworkNameSchema.safeParse(d.name);
  if (!n.success) e.name = n.error.issues[0]?.message ?? 'Invalid name.';
  else if (all.some((o) => o.key !== d.key && !o.removed && o.name.toLowerCase() === d.name.toLowerCase())) e.name = 'Another virtual network has this name.';
  if (d.kind === 'external' && d.mode === 'bridge') {
    const b = BridgeNameSchema.safeParse(d.bridge);
    if (!b.success) e.bridge = 'Choose a host bridge.';
  }
  if (d.kind === 'internal' && d.hostAddress.trim() !== '') {
    const h = HostAddressSchema.safeParse(d.hostAddress.trim());
    if (!h.success) e.hostAddress = h.error.issues[0]?.message ?? 'An address looks like 10.200.1.1/24.';
  }
  return e;
}

export function poolErrors(first: string, last: string): Partial<Record<'first' | 'last', string>> {
  const e: Partial<Record<'first' | 'last', string>> = {};
  if (!MAC_RE.test(first.toLowerCase())) e.first = 'A MAC address looks like 52:54:00:12:34:56.';
  if (!MAC_RE.test(last.toLowerCase())) e.last = 'A MAC address looks like 52:54:00:12:34:56.';
  return e;
}

/** The calls Apply makes, in order: deletions, creations, updates, then the MAC pool. */
export type NetworkCall =
  | { method: 'network.delete'; params: MethodParams<'network.delete'>; key: string }
  | { method: 'network.create'; params: MethodParams<'network.create'>; key: string }
  | { method: 'network.update'; params: MethodParams<'network.update'>; key: string }
  | { method: 'network.setMacPool'; params: MethodParams<'network.setMacPool'>; key: string };

export function pendingCalls(d: ManagerDraft, list: NetworkList): NetworkCall[] {
  const calls: NetworkCall[] = [];
  for (const n of d.networks) if (n.removed && n.id !== null) calls.push({ method: 'network.delete', params: { network: n.id }, key: n.key });
  for (const n of d.networks) {
    if (n.removed || n.id !== null) continue;
    calls.push({
      method: 'network.create',
      key: n.key,
      params: {
        name: n.name.trim(),
        kind: n.kind,
        notes: n.notes,
        ...(n.kind === 'external' ? { external: { mode: n.mode, bridge: n.mode === 'bridge' ? n.bridge : null } } : {}),
        ...(n.kind === 'internal' && n.hostAddress.trim() ? { hostAddress: n.hostAddress.trim() } : {}),
      },
    });
  }
  for (const n of d.networks) {
    if (n.removed || n.id === null || n.saved === null) continue;
    const s = n.saved;
    const params: MethodParams<'network.update'> = { network: n.id };
    if (n.name.trim() !== s.name) params.name = n.name.trim();
    if (n.notes !== s.notes) params.notes = n.notes;
    if (n.kind === 'external' && (n.mode !== (s.external?.mode ?? 'nat') || (n.mode === 'bridge' && n.bridge !== (s.external?.bridge ?? '')))) {
      params.external = { mode: n.mode, bridge: n.mode === 'bridge' ? n.bridge : null };
    }
    if (n.kind === 'internal' && n.hostAddress.trim() && n.hostAddress.trim() !== (s.host?.address ?? '')) params.hostAddress = n.hostAddress.trim();
    if (Object.keys(params).length > 1) calls.push({ method: 'network.update', params, key: n.key });
  }
  if (d.poolFirst.toLowerCase() !== list.macPool.first || d.poolLast.toLowerCase() !== list.macPool.last) {
    calls.push({ method: 'network.setMacPool', params: { first: d.poolFirst.toLowerCase(), last: d.poolLast.toLowerCase() }, key: 'pool' });
  }
  return calls;
}
