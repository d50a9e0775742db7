// Virtual networks (Virtual Network Manager).
// Add this feature's methods here; their names start with the feature's prefix.
import { z } from 'zod';
import { method } from './method';
import { MAC_RE } from './vm-config';

/**
 * External reaches outside the host (user-mode NAT, or a host bridge where the
 * host allows it); Internal connects VMs with each other and the host;
 * Private connects VMs with each other only.
 */
export const NetworkKindSchema = z.enum(['external', 'internal', 'private']);
export type NetworkKind = z.infer<typeof NetworkKindSchema>;

export const NETWORK_NAME_MAX = 64;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const FORBIDDEN_NETWORK_CHARS = /[\u0000-\u001f\u007f]/;
export const NetworkNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    if (name.trim().length === 0) ctx.addIssue({ code: 'custom', message: 'A network name cannot be empty.' });
    else if (name.length > NETWORK_NAME_MAX) ctx.addIssue({ code: 'custom', message: `A network name has at most ${NETWORK_NAME_MAX} characters.` });
    else if (FORBIDDEN_NETWORK_CHARS.test(name)) ctx.addIssue({ code: 'custom', message: 'A network name cannot contain control characters.' });
    else if (name !== name.trim()) ctx.addIssue({ code: 'custom', message: 'A network name cannot start or end with a space.' });
  });

/** A Linux bridge name (IFNAMSIZ 16 incl. NUL); also what QEMU's bridge helper accepts. */
export const BridgeNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'A bridge name is 1–15 letters, digits, ".", "_" or "-".');

/** "10.200.1.1/24": the host's address on an Internal network. */
export const HostAddressSchema = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, 'An address looks like 10.200.1.1/24.')
  .refine((s) => {
    const [addr, prefix] = s.split('/');
    return Number(prefix) >= 8 && Number(prefix) <= 30 && (addr ?? '').split('.').every((o) => Number(o) <= 255);
  }, 'Each part of the address is 0–255 and the prefix length 8–30.');

export const ExternalSettingsSchema = z.object({
  /** nat = QEMU user-mode networking (no privileges); bridge = a host bridge through qemu-bridge-helper. */
  mode: z.enum(['nat', 'bridge']).default('nat'),
  bridge: BridgeNameSchema.nullable().default(null),
});
export type ExternalSettings = z.infer<typeof ExternalSettingsSchema>;

/** One virtual network as stored in <dataDir>/networks.json. */
export const VirtualNetworkSchema = z.object({
  id: z.string().min(1).max(64),
  name: NetworkNameSchema,
  kind: NetworkKindSchema,
  notes: z.string().max(2000).default(''),
  /** Only for kind external. */
  external: ExternalSettingsSchema.nullable().default(null),
  /**
   * Internal and Private networks are Ethernet segments carried over UDP
   * multicast on the loopback interface (QEMU `-netdev socket,mcast=`): this is
   * the group, one per network; each VLAN id gets its own port (base + id).
   */
  segment: z.object({ group: z.string(), basePort: z.number().int().min(1024).max(65535 - 4095) }).nullable().default(null),
  /** Internal only: the host's interface name and address on the network. */
  host: z.object({ ifname: BridgeNameSchema, address: HostAddressSchema }).nullable().default(null),
  /** Earlier names (after a rename), so a config written before it still finds the network. */
  aliases: z.array(z.string()).default([]),
  createdAt: z.string(),
});
export type VirtualNetwork = z.infer<typeof VirtualNetworkSchema>;

export const MacPoolSchema = z.object({
  first: z.string().regex(MAC_RE),
  last: z.string().regex(MAC_RE),
});
export type MacPool = z.infer<typeof MacPoolSchema>;

export const NETWORKS_FILE_VERSION = 1;
export const NetworksFileSchema = z.object({
  version: z.literal(NETWORKS_FILE_VERSION),
  macPool: MacPoolSchema,
  networks: z.array(VirtualNetworkSchema),
});
export type NetworksFile = z.infer<typeof NetworksFileSchema>;

/** What this host can do beyond user-mode NAT and multicast segments, and why not. */
export const NetworkCapabilitiesSchema = z.object({
  bridge: z.object({ available: z.boolean(), reason: z.string(), bridges: z.array(z.string()) }),
  hostInterface: z.object({ available: z.boolean(), reason: z.string() }),
});
export type NetworkCapabilities = z.infer<typeof NetworkCapabilitiesSchema>;

export const NetworkAdapterUseSchema = z.object({
  vmId: z.string(),
  vmName: z.string(),
  adapterId: z.string(),
  kind: z.enum(['synthetic', 'legacy']),
  mac: z.string(),
  vlanId: z.number().int().nullable(),
});

/** A network with what is connected to it and how it is realised on this host. */
export const NetworkViewSchema = VirtualNetworkSchema.extend({
  adapters: z.array(NetworkAdapterUseSchema),
  /** One sentence: how the network is carried (NAT, bridge X, multicast group…). */
  realisation: z.string(),
  /** Internal: whether the host interface is up; null for other kinds. */
  hostAttached: z.boolean().nullable(),
  /** Why something does not work as the kind promises (e.g. no privilege for the host interface), or null. */
  warning: z.string().nullable(),
});
export type NetworkView = z.infer<typeof NetworkViewSchema>;

export const MacPoolViewSchema = MacPoolSchema.extend({ size: z.number().int(), used: z.number().int() });
export type MacPoolView = z.infer<typeof MacPoolViewSchema>;

export const NetworkListSchema = z.object({
  networks: z.array(NetworkViewSchema),
  macPool: MacPoolViewSchema,
  capabilities: NetworkCapabilitiesSchema,
});
export type NetworkList = z.infer<typeof NetworkListSchema>;

/** A network is named by its id or its name (case-insensitive). */
const NetworkRef = z.string().min(1).max(200);

export const CreateNetworkParamsSchema = z
  .object({
    name: NetworkNameSchema,
    kind: NetworkKindSchema,
    notes: z.string().max(2000).default(''),
    external: ExternalSettingsSchema.optional(),
    /** Internal: the host's address (default: a free 10.x.y.1/24). */
    hostAddress: HostAddressSchema.optional(),
  })
  .strict();
export type CreateNetworkParams = z.input<typeof CreateNetworkParamsSchema>;

export const UpdateNetworkParamsSchema = z
  .object({
    network: NetworkRef,
    name: NetworkNameSchema.optional(),
    notes: z.string().max(2000).optional(),
    external: ExternalSettingsSchema.optional(),
    hostAddress: HostAddressSchema.optional(),
  })
  .strict();

export const NETWORK_METHODS = {
  'network.list': method(z.object({}).strict(), NetworkListSchema),
  'network.create': method(CreateNetworkParamsSchema, NetworkViewSchema),
  /** Rename, notes, NAT ↔ bridge, the host address of an Internal network. */
  'network.update': method(UpdateNetworkParamsSchema, NetworkViewSchema),
  /** Refused while adapters are connected (they are listed). */
  'network.delete': method(z.object({ network: NetworkRef }).strict(), z.object({ deleted: z.boolean(), id: z.string() })),
  'network.setMacPool': method(MacPoolSchema.strict(), MacPoolViewSchema),
} as const;

/** How a network's kind reads (Hyper-V's Virtual Network Manager words), in the console and the CLI. */
export const NETWORK_KIND_LABELS: Readonly<Record<NetworkKind, string>> = { external: 'External', internal: 'Internal', private: 'Private' };

/** Synthetic (virtio-net) or legacy (emulated e1000, PXE) in words, for every front end. */
export function adapterKindLabel(kind: 'synthetic' | 'legacy'): string {
  return kind === 'synthetic' ? 'Network Adapter (synthetic, virtio-net)' : 'Legacy Network Adapter (emulated Intel e1000, PXE)';
}
