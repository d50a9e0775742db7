import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { toErrorInfo, type ErrorInfo, type VmSummary } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { closeDialog, showError } from '../state/ui-store';
import { DialogError } from './DialogError';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: '10px' },
  p: { margin: 0, lineHeight: tokens.lineHeightBase300 },
  files: {
    margin: 0,
    padding: '6px 8px 6px 24px',
    maxHeight: '140px',
    overflow: 'auto',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  label: { fontWeight: tokens.fontWeightSemibold, margin: 0 },
});

interface Preview {
  vm: VmSummary;
  files: string[];
  kept: string[];
}

/** Delete: first ask the engine what would go and what stays, show it, then delete for real. */
export function DeleteVmDialog({ vmIds }: { vmIds: readonly string[] }) {
  const s = useStyles();
  const engine = useEngine();
  const [previews, setPreviews] = useState<Preview[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const vms = vmIds.map((id) => consoleStore.getState().vms.get(id)).filter((v) => v !== undefined);
    Promise.all(vms.map(async (vm) => ({ vm, ...(await engine.call('vm.delete', { vm: vm.id, confirm: false })) }))).then(
      (list) => {
        if (!cancelled) setPreviews(list.map(({ vm, files, kept }) => ({ vm, files, kept })));
      },
      (err: unknown) => {
        if (!cancelled) setError(toErrorInfo(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [engine, vmIds]);

  const files = previews?.flatMap((p) => p.files) ?? [];
  const kept = previews?.flatMap((p) => p.kept) ?? [];
  const names = previews?.map((p) => p.vm.name) ?? [];
  const who = names.length === 1 ? `“${names[0] ?? ''}”` : `${vmIds.length} virtual machines`;

  const confirm = async (): Promise<void> => {
    if (previews === null) return;
    setBusy(true);
    for (const p of previews) {
      try {
        await engine.call('vm.delete', { vm: p.vm.id, confirm: true });
      } catch (err) {
        showError(toErrorInfo(err), `Delete “${p.vm.name}”`);
      }
    }
    closeDialog();
  };

  return (
    <Dialog open modalType="alert" onOpenChange={(_, d) => !d.open && !busy && closeDialog()}>
      <DialogSurface data-testid="confirm-dialog" style={{ maxWidth: 560 }}>
        <DialogBody>
          <DialogTitle>Delete {previews === null ? 'virtual machine' : who}?</DialogTitle>
          <DialogContent className={s.content}>
            <DialogError error={error} />
            {previews === null && error === null && <Spinner size="tiny" label="Finding the files that would be deleted…" />}
            {previews !== null && (
              <>
                <p className={s.p}>
                  The virtual machine’s configuration and saved state are deleted and cannot be recovered
                  {files.length > 0 ? ', together with these files:' : '.'}
                </p>
                {files.length > 0 && (
                  <ul className={s.files} aria-label="Files that will be deleted" data-testid="delete-files">
                    {files.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                )}
                {kept.length > 0 && (
                  <>
                    <p className={s.label}>These disks are outside the virtual machine’s folder and are kept:</p>
                    <ul className={s.files} aria-label="Disks that are kept" data-testid="delete-kept">
                      {kept.map((f) => (
                        <li key={f}>{f}</li>
                      ))}
                    </ul>
                  </>
                )}
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={previews === null || busy} onClick={() => void confirm()}>
              {busy ? 'Deleting…' : 'Delete'}
            </Button>
            <Button disabled={busy} onClick={closeDialog}>
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
