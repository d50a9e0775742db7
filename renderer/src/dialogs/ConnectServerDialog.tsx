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
  MessageBar,
  MessageBarBody,
} from '@fluentui/react-components';
import { closeDialog } from '../state/ui-store';

/**
 * Adding another server needs cross-host sessions, which arrive with
 * migration. The form is here and wired; OK stays off until then.
 */
export function ConnectServerDialog() {
  const [address, setAddress] = useState('');
  const [token, setToken] = useState('');
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface data-testid="connect-server-dialog" style={{ maxWidth: 480 }}>
        <DialogBody>
          <DialogTitle>Connect to Server</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody>
                Managing other servers from this console arrives with virtual machine migration. For now, open the console of each
                server with the address its <code>viridian host</code> printed.
              </MessageBarBody>
            </MessageBar>
            <Field label="Server address" hint="For example 192.168.1.20:8443">
              <Input value={address} onChange={(_, d) => setAddress(d.value)} placeholder="host:port" />
            </Field>
            <Field label="Access token">
              <Input type="password" value={token} onChange={(_, d) => setToken(d.value)} />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled>
              OK
            </Button>
            <Button onClick={closeDialog}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
