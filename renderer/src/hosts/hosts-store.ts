import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AnyEvent, Job, VmSummary } from '../../../core/contract';
import type { RemoteHost } from '../../../core/contract/protocol-migration';

/** The servers the local engine remembers ("Connect to Server…"), with their VMs, as its relay reports them. */
export interface HostsData {
  hosts: ReadonlyMap<string, RemoteHost>;
  /** Jobs running on remote hosts (a migration a remote host drives), by job id. */
  jobs: ReadonlyMap<string, Job & { hostId: string }>;
  /** The remote server selected in the tree, or null for this one. */
  selectedHostId: string | null;
  /** Selected VM in the remote host's list. */
  selectedVmId: string | null;
  loaded: boolean;
}

export const hostsStore = createStore<HostsData>()(() => ({ hosts: new Map(), jobs: new Map(), selectedHostId: null, selectedVmId: null, loaded: false }));

export function useHosts<T>(selector: (s: HostsData) => T): T {
  return useStore(hostsStore, selector);
}

export function loadHosts(list: readonly RemoteHost[]): void {
  hostsStore.setState((s) => {
    const hosts = new Map(list.map((h) => [h.id, h] as const));
    const selectedHostId = s.selectedHostId !== null && hosts.has(s.selectedHostId) ? s.selectedHostId : null;
    return { hosts, loaded: true, selectedHostId, selectedVmId: selectedHostId === null ? null : s.selectedVmId };
  });
}

function withVms(h: RemoteHost, change: (vms: VmSummary[]) => VmSummary[]): RemoteHost {
  return { ...h, vms: change(h.vms) };
}

/** Applies one hosts.* event; other events are not this store's business. */
export function applyHostEvent(evt: AnyEvent): void {
  const s = hostsStore.getState();
  switch (evt.e) {
    case 'hosts.changed': {
      const hosts = new Map(s.hosts);
      hosts.set(evt.p.host.id, evt.p.host);
      hostsStore.setState({ hosts });
      return;
    }
    case 'hosts.removed': {
      if (!s.hosts.has(evt.p.id)) return;
      const hosts = new Map(s.hosts);
      hosts.delete(evt.p.id);
      hostsStore.setState(s.selectedHostId === evt.p.id ? { hosts, selectedHostId: null, selectedVmId: null } : { hosts });
      return;
    }
    case 'hosts.vm.upsert': {
      const h = s.hosts.get(evt.p.hostId);
      if (!h) return;
      const vm = evt.p.vm;
      const hosts = new Map(s.hosts);
      hosts.set(h.id, withVms(h, (vms) => (vms.some((v) => v.id === vm.id) ? vms.map((v) => (v.id === vm.id ? vm : v)) : [...vms, vm])));
      hostsStore.setState({ hosts });
      return;
    }
    case 'hosts.vm.removed': {
      const h = s.hosts.get(evt.p.hostId);
      if (!h) return;
      const hosts = new Map(s.hosts);
      hosts.set(h.id, withVms(h, (vms) => vms.filter((v) => v.id !== evt.p.id)));
      hostsStore.setState(s.selectedVmId === evt.p.id ? { hosts, selectedVmId: null } : { hosts });
      return;
    }
    case 'hosts.vm.stats': {
      const h = s.hosts.get(evt.p.hostId);
      if (!h) return;
      const stats = new Map(evt.p.items.map((i) => [i.id, i.stats] as const));
      const hosts = new Map(s.hosts);
      hosts.set(h.id, withVms(h, (vms) => vms.map((v) => (stats.has(v.id) ? { ...v, stats: stats.get(v.id) ?? null } : v))));
      hostsStore.setState({ hosts });
      return;
    }
    case 'hosts.job.upsert': {
      const jobs = new Map(s.jobs);
      jobs.set(evt.p.job.id, { ...evt.p.job, hostId: evt.p.hostId });
      // Keep the newest few hundred.
      if (jobs.size > 300) for (const id of [...jobs.keys()].slice(0, jobs.size - 300)) jobs.delete(id);
      hostsStore.setState({ jobs });
      return;
    }
    default:
      return;
  }
}

export function selectHost(id: string | null): void {
  hostsStore.setState({ selectedHostId: id, selectedVmId: null });
}

/** Where a VM lives, by id: this host (null) or a remote one. */
export function hostOfVm(vmId: string): RemoteHost | null {
  for (const h of hostsStore.getState().hosts.values()) if (h.vms.some((v) => v.id === vmId)) return h;
  return null;
}

/** A host's display name: its host name when known, else its address. */
export function hostLabel(h: RemoteHost): string {
  return h.info?.hostname ? `${h.info.hostname} (${h.address})` : h.address;
}
