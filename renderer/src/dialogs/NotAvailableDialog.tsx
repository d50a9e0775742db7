import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { VmAction } from '../../../core/contract';
import { actionVerb } from '../actions/vm-actions';
import { closeDialog } from '../state/ui-store';

const WHY: Partial<Record<VmAction, string>> = {
  connect: 'Viewing and using a virtual machine’s screen, keyboard and mouse is not available in this version of Viridian yet.',
  snapshot: 'Snapshots are not available in this version of Viridian yet.',
  revert: 'Snapshots, and reverting to them, are not available in this version of Viridian yet.',
  export: 'Exporting virtual machines is not available in this version of Viridian yet.',
  migrate: 'Moving virtual machines to another server is not available in this version of Viridian yet.',
};

/** For actions the state table shows but the engine does not do yet: say so plainly. */
export function NotAvailableDialog({ action }: { action: VmAction }) {
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface data-testid="not-available-dialog" style={{ maxWidth: 440 }}>
        <DialogBody>
          <DialogTitle>{actionVerb(action)}</DialogTitle>
          <DialogContent>
            {WHY[action] ?? 'This action is not available in this version of Viridian yet.'} Nothing was changed.
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={closeDialog}>
              OK
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
