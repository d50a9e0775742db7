import { describe, expect, it } from 'vitest';
import type { NetworkList } from '../../../core/contract';
import { draftFrom, newNetwork, pendingCalls, poolErrors, validateNetwork } from './network-draft';
import { networkLabel } from './network-store';

const list: NetworkList = {
  networks: [
    {
      id: 'default', name: 'Default Switch', kind: 'external', notes: '', external: { mode: 'nat', bridge: null }, segment: null, host: null, aliases: [], createdAt: '',
      adapters: [], realisation: 'NAT', hostAttached: null, warning: null,
    },
    {
      id: 'n1', name: 'Lab', kind: 'internal', notes: '', external: null, segment: { group: '239.192.0.1', basePort: 30000 }, host: { ifname: 'vir000001', address: '10.200.1.1/24' }, aliases: ['Old Lab'], createdAt: '',
      adapters: [], realisation: 'segment', hostAttached: true, warning: null,
    },
  ],
  macPool: { first: '52:54:00:01:00:00', last: '52:54:00:01:ff:ff', size: 65536, used: 0 },
  capabilities: { bridge: { available: false, reason: 'no bridge', bridges: [] }, hostInterface: { available: true, reason: 'ok' } },
};

describe('Virtual Network Manager draft', () => {
  it('turns edits into the calls Apply makes, in order', () => {
    const d = draftFrom(list);
    const fresh = { ...newNetwork('private', d.networks.map((n) => n.name)), name: 'Wire' };
    const edited = {
      ...d,
      networks: [
        { ...d.networks[0]!, removed: true },
        { ...d.networks[1]!, name: 'Lab 2', hostAddress: '10.200.9.1/24' },
        fresh,
      ],
      poolLast: '52:54:00:01:0f:ff',
    };
    expect(pendingCalls(edited, list).map((c) => [c.method, c.params])).toEqual([
      ['network.delete', { network: 'default' }],
      ['network.create', { name: 'Wire', kind: 'private', notes: '' }],
      ['network.update', { network: 'n1', name: 'Lab 2', hostAddress: '10.200.9.1/24' }],
      ['network.setMacPool', { first: '52:54:00:01:00:00', last: '52:54:00:01:0f:ff' }],
    ]);
    expect(pendingCalls(draftFrom(list), list)).toEqual([]);
  });

  it('validates names (unique), bridges, host addresses and the MAC range', () => {
    const d = draftFrom(list);
    const dup = { ...newNetwork('private', []), name: 'lab' };
    expect(validateNetwork(dup, [...d.networks, dup]).name).toMatch(/Another virtual network/);
    expect(validateNetwork({ ...dup, name: 'X', kind: 'external', mode: 'bridge', bridge: '' }, []).bridge).toBeDefined();
    expect(validateNetwork({ ...dup, name: 'X', kind: 'internal', hostAddress: '10.1.1.1/33' }, []).hostAddress).toBeDefined();
    expect(newNetwork('private', ['New Virtual Network']).name).toBe('New Virtual Network 2');
    expect(poolErrors('52:54:00:00:00:00', 'zz')).toEqual({ last: expect.any(String) });
  });

  it('shows names for ids, and an unknown reference as it is', () => {
    expect(networkLabel('n1', list)).toBe('Lab');
    expect(networkLabel('Default Switch', list)).toBe('Default Switch');
    expect(networkLabel(null, list)).toBe('Not connected');
    expect(networkLabel('gone', list)).toBe('gone');
    expect(networkLabel('old lab', list)).toBe('Lab');
  });
});
