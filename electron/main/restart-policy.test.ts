import { describe, expect, it } from 'vitest';
import { describeExit, FAILED_AFTER_ATTEMPTS, nextRestart, RESTART_MAX_MS } from './restart-policy';

describe('nextRestart', () => {
  it('backs off exponentially up to the cap', () => {
    let attempts = 0;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const d = nextRestart(attempts, 1000);
      attempts = d.attempt;
      delays.push(d.delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(Math.max(...delays)).toBe(RESTART_MAX_MS);
  });

  it('starts over after a healthy run', () => {
    expect(nextRestart(7, 5 * 60_000)).toEqual({ attempt: 1, delayMs: 500, givingUp: false });
  });

  it('counts a crash before ready (never up) as consecutive', () => {
    expect(nextRestart(2, null).attempt).toBe(3);
  });

  it('reports failure after several attempts in a row', () => {
    expect(nextRestart(FAILED_AFTER_ATTEMPTS - 2, null).givingUp).toBe(false);
    expect(nextRestart(FAILED_AFTER_ATTEMPTS - 1, null).givingUp).toBe(true);
  });
});

describe('describeExit', () => {
  it('names the code and the last stderr line', () => {
    expect(describeExit(1, 'Error: boom\n')).toBe('the engine process exited with code 1: Error: boom');
    expect(describeExit(0, undefined)).toBe('the engine process stopped unexpectedly');
    expect(describeExit(134, 'x'.repeat(400)).length).toBeLessThan(400);
  });
});
