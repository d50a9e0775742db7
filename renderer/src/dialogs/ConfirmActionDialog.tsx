import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { Warning24Filled } from '@fluentui/react-icons';
import type { VmAction } from '../../../core/contract';
import { isSimpleAction, performSimpleAction } from '../actions/run-action';
import { useEngine } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';
import { confirmText } from './confirm-text';

const useStyles = makeStyles({
  content: { display: 'flex', gap: '12px', alignItems: 'flex-start' },
  icon: { color: tokens.colorPaletteDarkOrangeForeground1, flexShrink: 0, marginTop: '2px' },
  body: { margin: 0, lineHeight: tokens.lineHeightBase300 },
});

/** Asks before an action that loses something, and says what. */
export function ConfirmActionDialog({ action, vmIds }: { action: VmAction; vmIds: readonly string[] }) {
  const s = useStyles();
  const engine = useEngine();
  const vms = vmIds.map((id) => consoleStore.getState().vms.get(id)).filter((v) => v !== undefined);
  const text = confirmText(
    action,
    vms.map((v) => v.name),
  );
  const confirm = (): void => {
    closeDialog();
    if (isSimpleAction(action)) void performSimpleAction(engine, action, vms);
  };
  return (
    <Dialog open modalType="alert" onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface data-testid="confirm-dialog" style={{ maxWidth: 480 }}>
        <DialogBody>
          <DialogTitle>{text.title}</DialogTitle>
          <DialogContent className={s.content}>
            <Warning24Filled className={s.icon} aria-hidden="true" />
            <p className={s.body}>{text.body}</p>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={confirm}>
              {text.button}
            </Button>
            <Button onClick={closeDialog}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
