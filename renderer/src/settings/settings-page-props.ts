import type { HostInfo, VmConfig } from '../../../core/contract';
import type { FieldErrors } from '../wizards/new-vm/validation';

export interface SettingsPageProps {
  draft: VmConfig;
  original: VmConfig;
  set: (fn: (c: VmConfig) => VmConfig) => void;
  errors: FieldErrors;
  /** The VM runs and this page needs it off. */
  disabled: boolean;
  host: HostInfo | null;
}
