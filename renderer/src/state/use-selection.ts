import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { VmAction, VmState, VmSummary } from '../../../core/contract';
import { actionsFor } from '../actions/vm-actions';
import { useConsole } from './app-stores';
import { useUi } from './ui-store';

/** The selected VMs that still exist, in list order of selection. */
export function useSelectedVms(): VmSummary[] {
  const ids = useUi((s) => s.selectedIds);
  return useConsole(
    useShallow((s) => {
      const out: VmSummary[] = [];
      for (const id of ids) {
        const vm = s.vms.get(id);
        if (vm !== undefined) out.push(vm);
      }
      return out;
    }),
  );
}

/** What the current selection allows (the single source for every surface). */
export function useSelectionActions(): { vms: VmSummary[]; actions: VmAction[] } {
  const vms = useSelectedVms();
  const stateKey = vms.map((v) => v.status.state).join(',');
  // Recompute only when the states change, not on every stats tick.
  const actions = useMemo(() => actionsFor(stateKey === '' ? [] : (stateKey.split(',') as VmState[])), [stateKey]);
  return { vms, actions };
}
