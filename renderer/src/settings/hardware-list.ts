import type { FluentIcon } from '@fluentui/react-icons';
import {
  Add20Regular,
  ArrowSyncCircle20Regular,
  DeveloperBoard20Regular,
  HardDrive20Regular,
  Info20Regular,
  Power20Regular,
  PuzzlePiece20Regular,
  Ram20Regular,
  SerialPort20Regular,
  Storage20Regular,
  VirtualNetwork20Regular,
  Save20Regular,
  Board20Regular,
} from '@fluentui/react-icons';
import type { IdeSlot, VmConfig } from '../../../core/contract';
import { formatMiB } from '../ui/format';
import { adapterTitle } from './pages-devices';
import { networkLabel } from '../networks/network-store';
import { BOOT_LABELS } from './pages-system';
import type { SettingsPageId } from './settings-model';

export interface HardwareEntry {
  id: SettingsPageId;
  title: string;
  /** One-line summary under the title, like Hyper-V's tree. */
  detail: string;
  icon: FluentIcon;
  group: 'Hardware' | 'Management';
}

function fileName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

function slotText(slot: IdeSlot): string {
  if (slot === null) return 'None';
  if (slot.kind === 'disk') return `Hard Drive: ${slot.path === '' ? '(no file)' : fileName(slot.path)}`;
  return `DVD Drive: ${slot.path === null || slot.path === '' ? 'No media' : fileName(slot.path)}`;
}

const START_TEXT: Record<VmConfig['automaticStart']['action'], string> = {
  nothing: 'None',
  restartIfRunning: 'Restart if previously running',
  alwaysStart: 'Always start',
};
const STOP_TEXT: Record<VmConfig['automaticStop']['action'], string> = { save: 'Save', turnOff: 'Turn off', shutDown: 'Shut down' };

/** The left-hand list of the Settings dialog, derived from the draft. */
export function hardwareList(c: VmConfig): HardwareEntry[] {
  const services = Object.values(c.integration);
  const com = (port: 1 | 2): string => c.com.find((x) => x.port === port)?.pipe ?? 'None';
  return [
    { id: 'addHardware', title: 'Add Hardware', detail: 'Network adapters', icon: Add20Regular, group: 'Hardware' },
    { id: 'bios', title: 'BIOS', detail: `Boot from ${BOOT_LABELS[c.bios.bootOrder[0] ?? 'ide']}`, icon: Board20Regular, group: 'Hardware' },
    { id: 'memory', title: 'Memory', detail: Number.isFinite(c.memoryMiB) ? formatMiB(c.memoryMiB) : '—', icon: Ram20Regular, group: 'Hardware' },
    {
      id: 'processor',
      title: 'Processor',
      detail: c.processor.count === 1 ? '1 virtual processor' : `${c.processor.count} virtual processors`,
      icon: DeveloperBoard20Regular,
      group: 'Hardware',
    },
    { id: 'ide0', title: 'IDE Controller 0', detail: c.ide[0].map(slotText).join(' · '), icon: HardDrive20Regular, group: 'Hardware' },
    { id: 'ide1', title: 'IDE Controller 1', detail: c.ide[1].map(slotText).join(' · '), icon: HardDrive20Regular, group: 'Hardware' },
    {
      id: 'scsi',
      title: 'SCSI Controller',
      detail: c.scsi.length === 0 ? 'No disks' : c.scsi.length === 1 ? '1 hard drive' : `${c.scsi.length} hard drives`,
      icon: Storage20Regular,
      group: 'Hardware',
    },
    ...c.network.map(
      (n): HardwareEntry => ({
        id: `nic:${n.id}`,
        title: adapterTitle(n),
        detail: networkLabel(n.network),
        icon: VirtualNetwork20Regular,
        group: 'Hardware',
      }),
    ),
    { id: 'com1', title: 'COM 1', detail: com(1), icon: SerialPort20Regular, group: 'Hardware' },
    { id: 'com2', title: 'COM 2', detail: com(2), icon: SerialPort20Regular, group: 'Hardware' },
    { id: 'diskette', title: 'Diskette Drive', detail: c.floppy === null ? 'None' : fileName(c.floppy), icon: Save20Regular, group: 'Hardware' },
    { id: 'name', title: 'Name', detail: c.name, icon: Info20Regular, group: 'Management' },
    {
      id: 'integration',
      title: 'Integration Services',
      detail: services.every(Boolean) ? 'All services offered' : services.some(Boolean) ? 'Some services offered' : 'No services offered',
      icon: PuzzlePiece20Regular,
      group: 'Management',
    },
    { id: 'autoStart', title: 'Automatic Start Action', detail: START_TEXT[c.automaticStart.action], icon: ArrowSyncCircle20Regular, group: 'Management' },
    { id: 'autoStop', title: 'Automatic Stop Action', detail: STOP_TEXT[c.automaticStop.action], icon: Power20Regular, group: 'Management' },
  ];
}
