import { useStore } from 'zustand';
import { connectionStore, type ConnectionData } from './connection-store';
import { createConsoleStore, applyEvents, type ConsoleData } from './console-store';
import { EventBatcher } from './event-batcher';
import type { AnyEvent } from '../../../core/contract';

/** The console's one data store (VMs, jobs, host), fed by the engine session. */
export const consoleStore = createConsoleStore();

/** Engine events are applied once per animation frame. */
export const consoleBatcher = new EventBatcher((events: readonly AnyEvent[]) => applyEvents(consoleStore, events));

export function useConsole<T>(selector: (s: ConsoleData) => T): T {
  return useStore(consoleStore, selector);
}

export function useConnection<T>(selector: (s: ConnectionData) => T): T {
  return useStore(connectionStore, selector);
}
