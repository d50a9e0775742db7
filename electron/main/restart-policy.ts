/**
 * When to restart a crashed engine. Exponential backoff (0.5 s doubling to
 * 30 s) so a crash loop does not spin the CPU; a run that stayed up a minute
 * counts as healthy and resets the count. After a few failures in a row the
 * shell reports 'failed' but keeps trying at the slow rate, so an engine that
 * failed because another one held the data folder comes back when it can.
 */
export const RESTART_BASE_MS = 500;
export const RESTART_MAX_MS = 30_000;
export const HEALTHY_AFTER_MS = 60_000;
export const FAILED_AFTER_ATTEMPTS = 5;

export interface RestartDecision {
  /** Consecutive failures including this one. */
  attempt: number;
  delayMs: number;
  /** Shown to the user as 'failed' rather than 'restarting'. */
  givingUp: boolean;
}

export function nextRestart(previousAttempts: number, upForMs: number | null): RestartDecision {
  const attempt = (upForMs !== null && upForMs >= HEALTHY_AFTER_MS ? 0 : previousAttempts) + 1;
  const delayMs = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (attempt - 1));
  return { attempt, delayMs, givingUp: attempt >= FAILED_AFTER_ATTEMPTS };
}

/** "exited with code 3", "was killed", plus the last thing it wrote to stderr. */
export function describeExit(code: number, lastStderr: string | undefined): string {
  const how = code === 0 ? 'stopped unexpectedly' : `exited with code ${code}`;
  const tail = lastStderr?.trim();
  return tail ? `the engine process ${how}: ${tail.length > 300 ? `${tail.slice(0, 300)}…` : tail}` : `the engine process ${how}`;
}
