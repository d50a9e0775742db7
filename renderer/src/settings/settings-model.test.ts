import { describe, expect, it } from 'vitest';
import { VmConfigChangesSchema, VM_STATES } from '../../../core/contract';
import { makeConfig, makeVm } from '../test-support/fixtures';
import { applyDiskInfo, diffConfig, disksToInspect, isLocked, randomMac, stableJson, validateSettings } from './settings-model';

const base = makeConfig(makeVm('web01'));
const ctx = { maxMemoryMiB: 4096, otherNames: ['db01'] };

describe('settings model', () => {
  it('sends only the top-level keys that changed', () => {
    const draft = { ...base, memoryMiB: 1024, integration: { ...base.integration, kvp: false } };
    const changes = diffConfig(base, draft);
    expect(Object.keys(changes).sort()).toEqual(['integration', 'memoryMiB']);
    expect(VmConfigChangesSchema.safeParse(changes).success).toBe(true);
    expect(diffConfig(base, { ...base })).toEqual({});
  });

  it('does not count key order as a change', () => {
    expect(stableJson({ a: 1, b: { c: 2, d: 3 } })).toBe(stableJson({ b: { d: 3, c: 2 }, a: 1 }));
    const reordered = { ...base, processor: { weight: 100, limitPercent: 100, reservePercent: 0, count: base.processor.count } };
    expect(diffConfig(base, reordered)).toEqual({});
  });

  it('locks everything but hot settings unless the VM is off, saved or critical', () => {
    const unlocked = VM_STATES.filter((s) => !isLocked(s));
    expect(unlocked).toEqual(['Saved', 'Off', 'Critical'].sort((a, b) => VM_STATES.indexOf(a as never) - VM_STATES.indexOf(b as never)));
  });

  it('finds new disk paths to inspect, and fills their facts', () => {
    const draft = { ...base, scsi: [{ kind: 'disk' as const, path: '/d/new.vhd', format: 'qcow2' as const, type: 'dynamic' as const, virtualSize: 0, readOnly: false, lun: 0 }] };
    expect(disksToInspect(base, draft)).toEqual(['/d/new.vhd']);
    const filled = applyDiskInfo(draft, new Map([['/d/new.vhd', { format: 'vpc' as const, type: 'fixed' as const, virtualSize: 42 }]]));
    expect(filled.scsi[0]).toMatchObject({ format: 'vpc', type: 'fixed', virtualSize: 42, lun: 0 });
    expect(filled.ide).toEqual(base.ide);
  });

  it('validates per page', () => {
    const bad = {
      ...base,
      name: 'db01',
      memoryMiB: 8,
      processor: { ...base.processor, weight: 0 },
      network: [{ ...base.network[0]!, macMode: 'static' as const, mac: 'zz', vlanId: 5000 }],
      ide: [[{ kind: 'disk' as const, path: '', format: 'qcow2' as const, type: 'dynamic' as const, virtualSize: 0, readOnly: false }, null], [{ kind: 'dvd' as const, path: '' }, null]] as typeof base.ide,
    };
    const errors = validateSettings(bad, ctx);
    expect(Object.keys(errors).sort()).toEqual(['ide0', 'ide1', 'memory', 'name', 'nic:nic0', 'processor'].sort());
    expect(Object.keys(errors['nic:nic0'] ?? {}).sort()).toEqual(['mac', 'vlan']);
    expect(validateSettings(base, ctx)).toEqual({});
  });

  it('makes locally administered MACs in the QEMU range', () => {
    expect(randomMac(() => 0.5)).toBe('52:54:00:80:80:80');
  });
});
