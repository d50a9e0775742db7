import type { Job } from '../../../core/contract';

/**
 * Jobs that failed since the previous jobs map: a save or start that fails
 * after its request was accepted still reaches the user, with its hint.
 */
export function newlyFailedJobs(prev: ReadonlyMap<string, Job>, next: ReadonlyMap<string, Job>): Job[] {
  if (prev === next) return [];
  const out: Job[] = [];
  for (const job of next.values()) {
    if (job.state !== 'failed' || job.error === null) continue;
    if (prev.get(job.id)?.state === 'failed') continue;
    out.push(job);
  }
  return out;
}

export function jobContext(job: Job): string {
  return job.vmName === null ? job.label : `${job.label} “${job.vmName}”`;
}
