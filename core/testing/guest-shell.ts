// Typing commands on the test guest's serial shell from integration tests.
import { connect, type Socket } from 'node:net';
import type { Engine } from '../engine/engine';
import { waitForSerial } from './engine-fixture';
import { serialCommand } from './guest';

let nextId = 5000;

/** Types `command` on the guest's serial shell and returns its exit code. */
export async function guestRun(engine: Engine, vm: string, command: string, timeoutMs = 60_000): Promise<number> {
  const id = nextId++;
  const { line, done } = serialCommand(command, id);
  const path = engine.getVm(vm).paths?.serial;
  if (!path) throw new Error(`${vm} has no serial socket`);
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
  sock.end(line);
  const text = await waitForSerial(engine, vm, done, timeoutMs);
  return Number(done.exec(text)?.[1] ?? -1);
}

/** A shell loop that waits up to `seconds` for a condition to hold. */
export function until(condition: string, seconds = 30): string {
  return `i=0; while ! ${condition} && [ $i -lt ${seconds * 5} ]; do sleep 0.2; i=$((i+1)); done; ${condition}`;
}
