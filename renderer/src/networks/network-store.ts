import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { toErrorInfo, type ErrorInfo, type NetworkList, type NetworkView } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';

/** The host's virtual networks as last read (network.list); pickers and the manager share it. */
export interface NetworkData {
  list: NetworkList | null;
  loading: boolean;
  error: ErrorInfo | null;
}

export const networkStore = createStore<NetworkData>()(() => ({ list: null, loading: false, error: null }));

export function useNetworks<T>(selector: (s: NetworkData) => T): T {
  return useStore(networkStore, selector);
}

/** Reads the list again (on open of a picker or the manager, and after every change). */
export async function loadNetworks(engine: Pick<EngineApi, 'call'>): Promise<NetworkList | null> {
  networkStore.setState({ loading: true });
  try {
    const list = await engine.call('network.list', {});
    networkStore.setState({ list, loading: false, error: null });
    return list;
  } catch (err) {
    networkStore.setState({ loading: false, error: toErrorInfo(err) });
    return null;
  }
}

/** An adapter's network: adapters store its name; an id or an earlier name is found too. */
export function findNetwork(list: NetworkList | null, ref: string | null): NetworkView | null {
  if (ref === null || list === null) return null;
  const lower = ref.toLowerCase();
  return (
    list.networks.find((n) => n.id === ref) ??
    list.networks.find((n) => n.name.toLowerCase() === lower) ??
    list.networks.find((n) => n.aliases.some((a) => a.toLowerCase() === lower)) ??
    null
  );
}

/** What to show for an adapter's network: its name, "Not connected", or the stored reference if unknown. */
export function networkLabel(ref: string | null, list: NetworkList | null = networkStore.getState().list): string {
  if (ref === null) return 'Not connected';
  return findNetwork(list, ref)?.name ?? ref;
}

export { NETWORK_KIND_LABELS as KIND_LABELS } from '../../../core/contract';

export const KIND_HELP = {
  external: 'Reaches outside this host. NAT (QEMU user-mode networking) needs no privileges: each adapter gets 10.0.2.15 by DHCP behind its own NAT. Where the host allows it, a bridge puts VMs on the LAN instead.',
  internal: 'Connects virtual machines with each other and with this host. The host gets an address on the network when the engine may create a host interface (root or CAP_NET_ADMIN).',
  private: 'Connects virtual machines with each other only. Traffic never leaves this host.',
} as const;
