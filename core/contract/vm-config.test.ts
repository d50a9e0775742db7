import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_VERSION, VmNameSchema, migrateConfig, migrationBlocker, vmDisks } from './vm-config';

const v0 = JSON.parse(readFileSync(join(__dirname, 'fixtures/vm-v0.json'), 'utf8')) as unknown;

describe('persisted config versions', () => {
  it('migrates a v0 file to the current schema', () => {
    const c = migrateConfig(v0);
    expect(c.schemaVersion).toBe(CONFIG_SCHEMA_VERSION);
    expect(c.name).toBe('Legacy Web Server');
    expect(c.memoryMiB).toBe(768);
    expect(c.processor.count).toBe(2);
    expect(c.notes).toBe('Made by the first prototype.');
    expect(vmDisks(c)).toEqual([expect.objectContaining({ path: '/srv/vms/legacy/web.vhd', format: 'vpc', virtualSize: 17179869184 })]);
    // A v0 VHD was dynamic: the VM cannot be saved until converted.
    expect(migrationBlocker(c)).toMatch(/dynamically expanding VHD/);
    // Round trip: the migrated config is a valid current config.
    expect(migrateConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('rejects unknown versions and broken files with paths', () => {
    expect(() => migrateConfig({ schemaVersion: 99 })).toThrow();
    expect(() => migrateConfig({ version: 0, name: 'x' })).toThrow(/id|ram/);
  });
});

describe('VM names', () => {
  it.each(['Web 01', 'Ωmega', 'db-primary.lab'])('accepts %s', (n) => expect(VmNameSchema.safeParse(n).success).toBe(true));
  it.each(['', '   ', 'a/b', 'a\\b', 'x'.repeat(101), ' lead', '..', 'tab\there'])('refuses %j', (n) => expect(VmNameSchema.safeParse(n).success).toBe(false));
});
