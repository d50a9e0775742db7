import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { toErrorInfo, type ErrorInfo } from '../../../core/contract';
import { FingerprintSchema, HostTokenSchema, RemoteAddressSchema } from '../../../core/contract/protocol-migration';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { closeDialog, uiStore } from '../state/ui-store';
import { selectHost } from './hosts-store';

function problem(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: string): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error?.issues[0]?.message ?? 'Not valid.');
}

/**
 * "Connect to Server…": the address and token of another host service. The
 * engine checks both (and pins the TLS certificate) before it remembers the
 * server; the token stays in the engine, never in the page.
 */
export function ConnectServerDialog() {
  const engine = useEngine();
  const [address, setAddress] = useState('');
  const [token, setToken] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const addressProblem = problem(RemoteAddressSchema, address.trim());
  const tokenProblem = problem(HostTokenSchema, token.trim());
  const fpProblem = fingerprint.trim() === '' ? null : problem(FingerprintSchema, fingerprint.trim());
  const valid = addressProblem === null && tokenProblem === null && fpProblem === null;

  const submit = async (): Promise<void> => {
    setTouched(true);
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      const host = await engine.call('hosts.add', { address: address.trim(), token: token.trim(), ...(fingerprint.trim() ? { fingerprint: fingerprint.trim() } : {}) });
      closeDialog();
      uiStore.setState({ tree: 'host' });
      selectHost(host.id);
    } catch (err) {
      setError(toErrorInfo(err));
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && !busy && closeDialog()}>
      <DialogSurface data-testid="connect-server-dialog" style={{ maxWidth: 500 }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') {
              e.preventDefault();
              void submit();
            }
          }}
        >
          <DialogBody>
            <DialogTitle>Connect to Server</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
              <Text size={200} style={{ color: tokens.colorNeutralForeground3 }}>
                Another host running <code>viridian host --listen ADDR:PORT</code>. Its token was printed when it first started (and is kept in its data folder as
                host-token).
              </Text>
              <DialogError error={error} />
              <Field
                label="Server address"
                hint="For example 192.168.1.20:8443"
                required
                validationState={(touched || address !== '') && addressProblem !== null ? 'error' : 'none'}
                validationMessage={touched || address !== '' ? addressProblem : null}
              >
                <Input value={address} autoFocus placeholder="host:port" onChange={(_, d) => setAddress(d.value)} disabled={busy} />
              </Field>
              <Field label="Access token" required validationState={touched && tokenProblem !== null ? 'error' : 'none'} validationMessage={touched ? tokenProblem : null}>
                <Input type="password" value={token} onChange={(_, d) => setToken(d.value)} disabled={busy} />
              </Field>
              <Field
                label="Certificate fingerprint (optional)"
                hint="For a server with TLS: the SHA-256 it printed. Without it the certificate is trusted on first use."
                validationState={fpProblem !== null ? 'error' : 'none'}
                validationMessage={fpProblem}
              >
                <Input value={fingerprint} onChange={(_, d) => setFingerprint(d.value)} disabled={busy} placeholder="AB:CD:…" />
              </Field>
            </DialogContent>
            <DialogActions>
              {busy && <Spinner size="tiny" label="Connecting…" />}
              <Button appearance="primary" type="button" onClick={() => void submit()} disabled={busy}>
                OK
              </Button>
              <Button onClick={closeDialog} disabled={busy}>
                Cancel
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
