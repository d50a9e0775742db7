import type { HostInfo } from '../../../../core/contract';
import type { NewVmDraft } from './draft';
import type { FieldErrors } from './validation';

export interface PageProps {
  draft: NewVmDraft;
  update: (fn: (d: NewVmDraft) => NewVmDraft) => void;
  errors: FieldErrors;
  warning: string | undefined;
  host: HostInfo | null;
}

/** Field props for an inline message (Fluent Field). */
export function fieldState(error: string | undefined): { validationState: 'error' | 'none'; validationMessage?: string } {
  return error === undefined ? { validationState: 'none' } : { validationState: 'error', validationMessage: error };
}
