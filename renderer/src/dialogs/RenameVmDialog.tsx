import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input } from '@fluentui/react-components';
import { toErrorInfo, type ErrorInfo } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { consoleStore, useConsole } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';
import { validateVmName } from '../wizards/new-vm/validation';
import { DialogError } from './DialogError';

/** Rename with the same name rules as the engine, checked as you type. */
export function RenameVmDialog({ vmId }: { vmId: string }) {
  const engine = useEngine();
  const vm = useConsole((s) => s.vms.get(vmId));
  const [name, setName] = useState(vm?.name ?? '');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  if (vm === undefined) return null;
  const others = [...consoleStore.getState().vms.values()].filter((v) => v.id !== vm.id).map((v) => v.name);
  const problem = validateVmName(name, others);
  const unchanged = name === vm.name;

  const submit = async (): Promise<void> => {
    setTouched(true);
    if (problem !== null || unchanged) return;
    setBusy(true);
    try {
      await engine.call('vm.rename', { vm: vm.id, name });
      closeDialog();
    } catch (err) {
      setError(toErrorInfo(err));
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface data-testid="rename-dialog" style={{ maxWidth: 440 }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <DialogBody>
            <DialogTitle>Rename “{vm.name}”</DialogTitle>
            <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
              <DialogError error={error} />
              <Field
                label="Name"
                required
                validationState={(touched || !unchanged) && problem !== null ? 'error' : 'none'}
                validationMessage={(touched || !unchanged) && problem !== null ? problem : null}
              >
                <Input
                  value={name}
                  autoFocus
                  onFocus={(e) => e.currentTarget.select()}
                  onChange={(_, d) => {
                    setName(d.value);
                    setError(null);
                  }}
                />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={busy || problem !== null || unchanged}>
                Rename
              </Button>
              <Button onClick={closeDialog}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
