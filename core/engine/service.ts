import type { EventName, MethodName, MethodParams, MethodResult } from '../contract';

export interface EngineEvent {
  e: EventName;
  p: unknown;
  seq: number;
}

/**
 * What every transport (utilityProcess port, unix control socket, WebSocket)
 * serves. The engine validates params itself: it is the boundary.
 */
export interface EngineService {
  invoke<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  onEvent(cb: (evt: EngineEvent) => void): () => void;
  close(): Promise<void>;
}
