import { Menu, MenuItem, MenuItemCheckbox, MenuList, MenuPopover, MenuTrigger, type MenuProps } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import { HardDrive20Regular, Desktop20Regular } from '@fluentui/react-icons';
import { openDialog, uiStore, useUi } from '../state/ui-store';

/** New ▸ Virtual Machine… / Hard Disk…, shared by the File menu, Actions pane and toolbar. */
export function NewSubmenu({ trigger }: { trigger: ReactElement }) {
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>{trigger}</MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItem icon={<Desktop20Regular />} onClick={() => openDialog({ kind: 'newVm' })}>
            Virtual Machine…
          </MenuItem>
          <MenuItem icon={<HardDrive20Regular />} onClick={() => openDialog({ kind: 'newDisk' })}>
            Hard Disk…
          </MenuItem>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

type PaneKey = 'actions' | 'details' | 'tree';
const PANE_LABELS: Record<PaneKey, string> = { tree: 'Console Tree', details: 'Details Pane', actions: 'Actions Pane' };

/** Props for a Menu whose pane checkboxes (ViewMenuItems) follow the UI store. */
export function usePaneChecks(): Pick<MenuProps, 'checkedValues' | 'onCheckedValueChange'> {
  const panes = useUi((s) => s.panes);
  return {
    checkedValues: { panes: (Object.keys(panes) as PaneKey[]).filter((k) => panes[k]) },
    onCheckedValueChange: (_, d) => {
      if (d.name !== 'panes') return;
      uiStore.setState({ panes: { tree: d.checkedItems.includes('tree'), details: d.checkedItems.includes('details'), actions: d.checkedItems.includes('actions') } });
    },
  };
}

/** View ▸ which panes show (inside a Menu given usePaneChecks()). */
export function ViewMenuItems() {
  return (
    <>
      {(Object.keys(PANE_LABELS) as PaneKey[]).map((k) => (
        <MenuItemCheckbox key={k} name="panes" value={k}>
          {PANE_LABELS[k]}
        </MenuItemCheckbox>
      ))}
    </>
  );
}
