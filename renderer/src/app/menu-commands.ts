import type { MenuCommand, VmAction } from '../../../core/contract';
import { actionsFor } from '../actions/vm-actions';
import { requestVmAction } from '../actions/run-action';
import type { EngineApi } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { openDialog, uiStore } from '../state/ui-store';

/**
 * The Electron application menu sends commands; VM actions go through the
 * same table as every other surface, so a disallowed one does nothing.
 */
export function runMenuCommand(engine: EngineApi, cmd: MenuCommand): void {
  switch (cmd) {
    case 'new-vm':
      openDialog({ kind: 'newVm' });
      return;
    case 'new-disk':
      openDialog({ kind: 'newDisk' });
      return;
    case 'connect-server':
      openDialog({ kind: 'connectServer' });
      return;
    case 'refresh':
      engine.refresh();
      return;
    case 'toggle-actions-pane':
      uiStore.setState((s) => ({ panes: { ...s.panes, actions: !s.panes.actions } }));
      return;
    case 'about':
      openDialog({ kind: 'about' });
      return;
    default: {
      const action = cmd.slice('action-'.length) as VmAction;
      const vms = [...uiStore.getState().selectedIds].map((id) => consoleStore.getState().vms.get(id)).filter((v) => v !== undefined);
      if (actionsFor(vms.map((v) => v.status.state)).includes(action)) requestVmAction(engine, action, vms);
    }
  }
}
