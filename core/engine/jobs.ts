import { randomUUID } from 'node:crypto';
import { TERMINAL_JOB_STATES, ViridianError, toErrorInfo, type Job } from '../contract';

export interface JobContext {
  readonly job: Job;
  readonly signal: AbortSignal;
  step(text: string): void;
  progress(percent: number | null, phase?: string): void;
}

export interface StartJobOptions {
  kind: string;
  label: string;
  vmId?: string | null;
  vmName?: string | null;
  cli: string;
  cancellable?: boolean;
}

const KEEP_FINISHED = 200;
/** Progress events are coalesced to this rate; steps and endings go out at once. */
const PROGRESS_INTERVAL_MS = 200;

/** Every long operation as a job: steps, progress, result, "View Script". */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly waiters = new Map<string, Set<(j: Job) => void>>();

  constructor(private readonly emit: (job: Job) => void) {}

  list(): Job[] {
    return [...this.jobs.values()];
  }

  get(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new ViridianError('NOT_FOUND', `There is no job with id ${id}.`, 'List jobs to see the ones this engine knows.');
    return job;
  }

  /** Runs `work` as a job and returns the job at once (the work goes on). */
  start<T>(opts: StartJobOptions, work: (ctx: JobContext) => Promise<T>): { job: Job; done: Promise<Job> } {
    const now = new Date().toISOString();
    const job: Job = {
      id: randomUUID(),
      kind: opts.kind,
      label: opts.label,
      vmId: opts.vmId ?? null,
      vmName: opts.vmName ?? null,
      state: 'running',
      phase: 'Starting',
      percent: null,
      cancellable: opts.cancellable ?? false,
      steps: [{ at: now, text: opts.label }],
      cli: opts.cli,
      startedAt: now,
      endedAt: null,
      error: null,
    };
    const controller = new AbortController();
    this.jobs.set(job.id, job);
    this.controllers.set(job.id, controller);
    this.prune();
    this.emit(job);

    let lastProgressEmit = 0;
    let progressTimer: NodeJS.Timeout | null = null;
    const ctx: JobContext = {
      job,
      signal: controller.signal,
      step: (text) => {
        job.steps.push({ at: new Date().toISOString(), text });
        job.phase = text;
        this.emit(job);
      },
      progress: (percent, phase) => {
        job.percent = percent === null ? null : Math.max(0, Math.min(100, percent));
        if (phase !== undefined) job.phase = phase;
        const now2 = Date.now();
        if (now2 - lastProgressEmit >= PROGRESS_INTERVAL_MS) {
          lastProgressEmit = now2;
          this.emit(job);
        } else if (!progressTimer) {
          progressTimer = setTimeout(() => {
            progressTimer = null;
            lastProgressEmit = Date.now();
            if (job.state === 'running') this.emit(job);
          }, PROGRESS_INTERVAL_MS);
        }
      },
    };

    const done = (async () => {
      try {
        const result = await work(ctx);
        job.state = 'completed';
        job.percent = 100;
        job.phase = 'Completed';
        if (result !== undefined) job.result = result;
      } catch (err) {
        const info = toErrorInfo(err);
        job.state = controller.signal.aborted || info.code === 'CANCELLED' ? 'cancelled' : 'failed';
        job.phase = job.state === 'cancelled' ? 'Cancelled' : 'Failed';
        job.error = info;
      } finally {
        if (progressTimer) clearTimeout(progressTimer);
        job.endedAt = new Date().toISOString();
        job.steps.push({ at: job.endedAt, text: job.phase });
        this.controllers.delete(job.id);
        this.emit(job);
        const ws = this.waiters.get(job.id);
        this.waiters.delete(job.id);
        if (ws) for (const w of ws) w(job);
      }
      return job;
    })();
    return { job: structuredClone(job), done };
  }

  cancel(id: string): Job {
    const job = this.get(id);
    if (job.state !== 'running') return job;
    if (!job.cancellable) {
      throw new ViridianError('INVALID_STATE', `"${job.label}" cannot be cancelled safely at this point.`, 'Wait for it to finish.');
    }
    this.controllers.get(id)?.abort();
    return job;
  }

  /** Aborts a job regardless of its cancellable flag (e.g. Turn Off preempts Start). */
  abort(id: string): void {
    this.controllers.get(id)?.abort();
  }

  wait(id: string, timeoutMs: number): Promise<Job> {
    const job = this.get(id);
    if (TERMINAL_JOB_STATES.includes(job.state)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const timer = setTimeout(() => {
        set.delete(done);
        resolve(job);
      }, timeoutMs);
      const done = (j: Job) => {
        clearTimeout(timer);
        resolve(j);
      };
      set.add(done);
    });
  }

  private prune(): void {
    if (this.jobs.size <= KEEP_FINISHED) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= KEEP_FINISHED) break;
      if (j.state !== 'running') this.jobs.delete(id);
    }
  }
}
