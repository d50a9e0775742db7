import { useUi } from '../state/ui-store';
import { NewVmWizard } from '../wizards/new-vm/NewVmWizard';
import { NewDiskWizard } from '../wizards/new-disk/NewDiskWizard';
import { SettingsDialog } from '../settings/SettingsDialog';
import { AboutDialog } from './AboutDialog';
import { ConfirmActionDialog } from './ConfirmActionDialog';
import { ConnectServerDialog } from './ConnectServerDialog';
import { DeleteVmDialog } from './DeleteVmDialog';
import { NotAvailableDialog } from './NotAvailableDialog';
import { RenameVmDialog } from './RenameVmDialog';

/** Renders the one open dialog from the UI store. */
export function DialogHost() {
  const d = useUi((s) => s.dialog);
  if (d === null) return null;
  switch (d.kind) {
    case 'newVm':
      return <NewVmWizard />;
    case 'newDisk':
      return <NewDiskWizard />;
    case 'settings':
      return <SettingsDialog vmId={d.vmId} />;
    case 'rename':
      return <RenameVmDialog vmId={d.vmId} />;
    case 'delete':
      return <DeleteVmDialog vmIds={d.vmIds} />;
    case 'confirm':
      return <ConfirmActionDialog action={d.action} vmIds={d.vmIds} />;
    case 'notAvailable':
      return <NotAvailableDialog action={d.action} />;
    case 'connectServer':
      return <ConnectServerDialog />;
    case 'about':
      return <AboutDialog />;
  }
}
