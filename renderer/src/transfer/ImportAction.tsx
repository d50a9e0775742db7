import type { ReactElement } from 'react';
import { ArrowImport20Regular } from '@fluentui/react-icons';
import { openImportDialog } from './TransferDialogs';

/** "Import Virtual Machine…" for the Actions pane and the File menu, each drawing it its own way. */
export function ImportAction({ render }: { render: (icon: ReactElement, label: string, onClick: () => void) => ReactElement }) {
  return render(<ArrowImport20Regular />, 'Import Virtual Machine…', openImportDialog);
}
