import { createContext, useContext } from 'react';
import type { MethodName, MethodParams, MethodResult } from '../../../core/contract';

/** What the UI needs from the engine: calls. State arrives through the store. */
export interface EngineApi {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  /** Which shell hosts the console (Electron adds native menus). */
  readonly shell: 'electron' | 'browser';
  /** Re-reads everything from the engine (Refresh, F5). */
  refresh(): void;
  /** Reconnects now instead of waiting for the next retry. */
  reconnect(): void;
}

export const EngineContext = createContext<EngineApi | null>(null);

export function useEngine(): EngineApi {
  const api = useContext(EngineContext);
  if (api === null) throw new Error('useEngine outside EngineContext');
  return api;
}
