import type { EventName, MethodName, MethodParsedParams, MethodResult } from '../contract';

export interface EngineEvent {
  e: EventName;
  p: unknown;
  seq: number;
}

/**
 * What every transport (utilityProcess port, unix control socket, WebSocket)
 * serves. Params arrive already validated by the dispatcher.
 */
export interface EngineService {
  invoke<M extends MethodName>(method: M, params: MethodParsedParams<M>): Promise<MethodResult<M>>;
  onEvent(cb: (evt: EngineEvent) => void): () => void;
  close(): Promise<void>;
}
