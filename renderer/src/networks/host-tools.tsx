import type { ReactElement } from 'react';
import { EditSettings20Regular, Search20Regular, VirtualNetwork20Regular } from '@fluentui/react-icons';
import { openDialog, type DialogRequest } from '../state/ui-store';

/** Host actions of the disks and networks feature, for the Actions pane and the Action menu. */
export const HOST_TOOLS: readonly { label: string; icon: () => ReactElement; open: () => void; dialog: DialogRequest['kind'] }[] = [
  { label: 'Virtual Network Manager…', icon: () => <VirtualNetwork20Regular />, open: () => openDialog({ kind: 'networkManager' }), dialog: 'networkManager' },
  { label: 'Edit Disk…', icon: () => <EditSettings20Regular />, open: () => openDialog({ kind: 'editDisk' }), dialog: 'editDisk' },
  { label: 'Inspect Disk…', icon: () => <Search20Regular />, open: () => openDialog({ kind: 'inspectDisk' }), dialog: 'inspectDisk' },
];
