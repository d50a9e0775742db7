import { describe, expect, it } from 'vitest';
import { exportContents } from './export-text';

describe('export dialog text', () => {
  it('lists what an export copies with "and" before the last item', () => {
    expect(exportContents(false)).toBe('settings, disks and snapshots');
    expect(exportContents(true)).toBe('settings, disks, snapshots and saved state');
  });
});
