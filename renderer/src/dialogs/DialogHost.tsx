import { useUi } from '../state/ui-store';
import { NewVmWizard } from '../wizards/new-vm/NewVmWizard';
import { NewDiskWizard } from '../disks/NewDiskWizard';
import { EditDiskWizard } from '../disks/EditDiskWizard';
import { InspectDiskDialog } from '../disks/InspectDiskDialog';
import { VirtualNetworkManager } from '../networks/VirtualNetworkManager';
import { SettingsDialog } from '../settings/SettingsDialog';
import { AboutDialog } from './AboutDialog';
import { ConfirmActionDialog } from './ConfirmActionDialog';
import { ConnectServerDialog } from '../hosts/ConnectServerDialog';
import { MigrateWizard } from '../migration/MigrateWizard';
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
    case 'migrate':
      return <MigrateWizard vmId={d.vmId} hostId={d.hostId} />;
    case 'networkManager':
      return <VirtualNetworkManager />;
    case 'editDisk':
      return <EditDiskWizard path={d.path} action={d.action} />;
    case 'inspectDisk':
      return <InspectDiskDialog path={d.path} />;
  }
}
