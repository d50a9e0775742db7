import { SimpleVmActionSchema, toErrorInfo, type SimpleVmAction, type VmAction, type VmSummary } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { openDialog, showError } from '../state/ui-store';
import { requestRevert, takeSnapshot } from '../snapshots/snapshot-ui';
import { openExportDialog } from '../transfer/TransferDialogs';
import { openVmConnectionHere } from '../vm-connection/route';
import { CONFIRMED, NOT_YET_AVAILABLE, actionVerb } from './vm-actions';

// The contract's list of parameter-less actions, the ones vm.action accepts.
const SIMPLE: ReadonlySet<VmAction> = new Set<SimpleVmAction>(SimpleVmActionSchema.options);

export function isSimpleAction(a: VmAction): a is SimpleVmAction {
  return SIMPLE.has(a);
}

/** Calls vm.action for each VM; each failure shows its own error with the VM's name. */
export async function performSimpleAction(engine: EngineApi, action: SimpleVmAction, vms: readonly VmSummary[]): Promise<void> {
  await Promise.all(
    vms.map((vm) =>
      engine.call('vm.action', { vm: vm.id, action }).catch((err: unknown) => {
        showError(toErrorInfo(err), `${actionVerb(action)} “${vm.name}”`);
      }),
    ),
  );
}

/**
 * The one entry point for a VM action from any surface (menu, pane, toolbar,
 * keyboard, application menu). Decides: dialog, confirmation, or call.
 */
export function requestVmAction(engine: EngineApi, action: VmAction, vms: readonly VmSummary[]): void {
  const first = vms[0];
  if (first === undefined) return;
  if (NOT_YET_AVAILABLE.has(action)) {
    openDialog({ kind: 'notAvailable', action });
    return;
  }
  const ids = vms.map((v) => v.id);
  switch (action) {
    case 'settings':
      openDialog({ kind: 'settings', vmId: first.id });
      return;
    case 'rename':
      openDialog({ kind: 'rename', vmId: first.id });
      return;
    case 'delete':
      openDialog({ kind: 'delete', vmIds: ids });
      return;
    case 'connect':
      for (const vm of vms) openVmConnectionHere(vm.id);
      return;
    case 'snapshot':
      for (const vm of vms) void takeSnapshot(engine, vm);
      return;
    case 'revert':
      void requestRevert(engine, first);
      return;
    case 'export':
      openExportDialog(first.id);
      return;
    case 'migrate':
      openDialog({ kind: 'migrate', vmId: first.id, hostId: null });
      return;
    default:
      break;
  }
  if (CONFIRMED.has(action)) {
    openDialog({ kind: 'confirm', action, vmIds: ids });
    return;
  }
  if (isSimpleAction(action)) void performSimpleAction(engine, action, vms);
}
