/** Reconnect delays: quick at first (an engine restart takes a moment), then capped. */
export function backoffDelay(attempt: number, baseMs = 250, maxMs = 5000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}
