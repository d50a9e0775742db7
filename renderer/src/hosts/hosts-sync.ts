import { toErrorInfo, type EngineClient } from '../../../core/contract';
import { showError } from '../state/ui-store';
import { applyHostEvent, loadHosts } from './hosts-store';

/**
 * Keeps the hosts store in step with the engine: the list once per
 * connection (and on refresh), then the relay's hosts.* events.
 */
export function attachHosts(client: Pick<EngineClient, 'call' | 'onEvent'>): { stop: () => void; refresh: () => void } {
  let stopped = false;
  const refresh = (): void => {
    client.call('hosts.list', {}).then(
      (list) => {
        if (!stopped) loadHosts(list);
      },
      (err: unknown) => {
        // An engine without the feature (older host) simply has no remote servers.
        const info = toErrorInfo(err);
        if (!stopped && info.code !== 'UNSUPPORTED' && info.code !== 'PROTOCOL') showError(info, 'Load the remembered servers');
      },
    );
  };
  const unlisten = client.onEvent((evt) => {
    if (!stopped && evt.e.startsWith('hosts.')) applyHostEvent(evt);
  });
  refresh();
  return {
    stop: () => {
      stopped = true;
      unlisten();
    },
    refresh,
  };
}
