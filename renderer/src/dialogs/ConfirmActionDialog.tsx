import type { VmAction } from '../../../core/contract';
import { isSimpleAction, performSimpleAction } from '../actions/run-action';
import { useEngine } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';
import { ConfirmDialog } from './ConfirmDialog';
import { confirmText } from './confirm-text';

/** Asks before an action that loses something, and says what. */
export function ConfirmActionDialog({ action, vmIds }: { action: VmAction; vmIds: readonly string[] }) {
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
  return <ConfirmDialog title={text.title} body={text.body} confirmLabel={text.button} onConfirm={confirm} onCancel={closeDialog} />;
}
