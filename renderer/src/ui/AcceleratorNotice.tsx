import { useState } from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { Dismiss16Regular } from '@fluentui/react-icons';
import { useConsole } from '../state/app-stores';

const KEY = 'viridian.tcgNotice.dismissed';

function dismissedFor(host: string): boolean {
  try {
    return localStorage.getItem(`${KEY}.${host}`) === '1';
  } catch {
    return false;
  }
}

/**
 * Says once, plainly, that VMs on this host run without hardware
 * virtualization, why, and how to fix it (peers hide this; users hate that).
 */
export function AcceleratorNotice() {
  const host = useConsole((s) => s.host);
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (host === null || host.accelerator.kind !== 'tcg') return null;
  if (dismissed === host.hostname || dismissedFor(host.hostname)) return null;
  const dismiss = (): void => {
    setDismissed(host.hostname);
    try {
      localStorage.setItem(`${KEY}.${host.hostname}`, '1');
    } catch {
      // not remembered across reloads; fine
    }
  };
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="accelerator-notice">
      <MessageBarBody>
        <MessageBarTitle>Virtual machines on {host.hostname} run in software emulation</MessageBarTitle>
        {host.accelerator.reason} {host.accelerator.hint}
      </MessageBarBody>
      <MessageBarActions
        containerAction={<Button aria-label="Dismiss" appearance="transparent" size="small" icon={<Dismiss16Regular />} onClick={dismiss} />}
      />
    </MessageBar>
  );
}
