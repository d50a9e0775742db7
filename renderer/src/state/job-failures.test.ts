import { describe, expect, it } from 'vitest';
import { makeJob } from '../test-support/fixtures';
import { jobContext, newlyFailedJobs } from './job-failures';

describe('job failures', () => {
  it('reports a job once, when it turns failed', () => {
    const running = makeJob('j', 'vm1');
    const failed = makeJob('j', 'vm1', { state: 'failed', error: { code: 'QMP_ERROR', message: 'Saving failed.', hint: 'Free some disk space.' } });
    const a = new Map([['j', running]]);
    const b = new Map([['j', failed]]);
    expect(newlyFailedJobs(a, b)).toEqual([failed]);
    expect(newlyFailedJobs(b, new Map(b))).toEqual([]);
    expect(newlyFailedJobs(new Map(), new Map([['k', makeJob('k', null, { state: 'completed' })]]))).toEqual([]);
  });

  it('names the VM in the context', () => {
    expect(jobContext(makeJob('j', 'x', { label: 'Save virtual machine', vmName: 'web01' }))).toBe('Save virtual machine “web01”');
  });
});
