import type { FluentIcon } from '@fluentui/react-icons';
import {
  ArrowExportLtr20Regular,
  ArrowReset20Regular,
  ArrowSwap20Regular,
  ArrowUndo20Regular,
  Camera20Regular,
  Delete20Regular,
  DeleteDismiss20Regular,
  DesktopArrowRight20Regular,
  Pause20Regular,
  Play20Regular,
  Power20Regular,
  Rename20Regular,
  Save20Regular,
  Settings20Regular,
  Stop20Regular,
  PlayCircle20Regular,
} from '@fluentui/react-icons';
import type { VmAction } from '../../../core/contract';

/** One icon per action, shared by menus, the Actions pane and the toolbar. */
export const ACTION_ICONS: Readonly<Record<VmAction, FluentIcon>> = {
  connect: DesktopArrowRight20Regular,
  settings: Settings20Regular,
  start: Play20Regular,
  turnOff: Stop20Regular,
  shutDown: Power20Regular,
  save: Save20Regular,
  pause: Pause20Regular,
  resume: PlayCircle20Regular,
  reset: ArrowReset20Regular,
  snapshot: Camera20Regular,
  revert: ArrowUndo20Regular,
  export: ArrowExportLtr20Regular,
  rename: Rename20Regular,
  delete: Delete20Regular,
  deleteSavedState: DeleteDismiss20Regular,
  migrate: ArrowSwap20Regular,
};

export function ActionIcon({ action }: { action: VmAction }) {
  const Icon = ACTION_ICONS[action];
  return <Icon aria-hidden="true" />;
}
