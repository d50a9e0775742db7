import { useEffect, useState } from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useConnection } from '../state/app-stores';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** "the connection dropped" → "The connection dropped." */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Shown while the engine connection is down; the console keeps its last data meanwhile. */
export function ConnectionBanner({ onRetry }: { onRetry: () => void }) {
  const status = useConnection((s) => s.status);
  const transport = useConnection((s) => s.transport);
  const everConnected = useConnection((s) => s.everConnected);
  const now = useNow(status.state === 'lost');
  // Every hook above this line: the banner appears and disappears between renders.
  if (status.state !== 'lost') return null;
  const secs = status.retryAt === null ? null : Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  // Never connected from a browser: most likely the address lacks its token.
  const tokenHint = transport === 'websocket' && !everConnected && status.attempt > 1;
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="connection-banner" aria-live="polite">
      <MessageBarBody>
        <MessageBarTitle>Connection to the engine lost — reconnecting…</MessageBarTitle>
        {sentence(status.reason)}
        {secs !== null && secs > 0 ? ` Next try in ${secs} s.` : ''}
        {tokenHint && ' If this persists, open the console with the address that `viridian host` printed: it carries the access token.'}
      </MessageBarBody>
      <MessageBarActions>
        <Button size="small" onClick={onRetry}>
          Retry now
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
