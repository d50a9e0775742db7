import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircle16Filled, ErrorCircle16Filled } from '@fluentui/react-icons';
import { formatBytes, toErrorInfo, type DiskInfo, type DiskUse, type ErrorInfo } from '../../../core/contract';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { closeDialog, openDialog } from '../state/ui-store';
import { usePageStyles } from '../wizards/page-styles';
import { formatName, typeName } from './disk-model';

const useStyles = makeStyles({
  surface: { width: '720px', maxWidth: 'calc(100vw - 48px)' },
  nowrap: { whiteSpace: 'nowrap', flexShrink: 0 },
  body: { display: 'flex', flexDirection: 'column', gap: '14px' },
  row: { display: 'flex', gap: '8px', alignItems: 'flex-end' },
  grow: { flexGrow: 1 },
  chain: { margin: 0, paddingLeft: '20px', display: 'flex', flexDirection: 'column', gap: '4px' },
  ok: { color: tokens.colorPaletteGreenForeground1, verticalAlign: 'middle', marginRight: '4px' },
  bad: { color: tokens.colorPaletteRedForeground1, verticalAlign: 'middle', marginRight: '4px' },
  path: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
});

/** Inspect Disk: format, type, sizes, parent chain (a missing parent shown, with Reconnect), and which VMs use it. */
export function InspectDiskDialog({ path: initialPath }: { path?: string | undefined }) {
  const s = useStyles();
  const p = usePageStyles();
  const engine = useEngine();
  const [path, setPath] = useState(initialPath ?? '');
  const [info, setInfo] = useState<DiskInfo | null>(null);
  const [uses, setUses] = useState<DiskUse[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  const inspect = async (target: string): Promise<void> => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const d = await engine.call('disk.inspect', { path: target.trim() });
      setInfo(d);
      setUses(await engine.call('disk.uses', { path: target.trim() }).catch(() => []));
    } catch (err) {
      setError(toErrorInfo(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (initialPath) void inspect(initialPath);
     
  }, []);

  const missing = info?.chain.find((l) => !l.exists) ?? null;
  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface className={s.surface} data-testid="inspect-disk-dialog">
        <DialogBody>
          <DialogTitle>Inspect Disk</DialogTitle>
          <DialogContent className={s.body}>
            <form
              className={s.row}
              onSubmit={(e) => {
                e.preventDefault();
                void inspect(path);
              }}
            >
              <Field label="Virtual hard disk" className={s.grow}>
                <Input value={path} onChange={(_, d) => setPath(d.value)} placeholder="/path/to/disk.vhd" />
              </Field>
              <Button type="submit" appearance="primary" disabled={busy || path.trim() === ''}>
                Inspect
              </Button>
            </form>
            <DialogError error={error} />
            {busy && <Spinner size="tiny" label="Reading the disk…" />}
            {info && (
              <>
                <dl className={p.summary} data-testid="disk-properties">
                  <dt className={p.key}>Format</dt>
                  <dd className={p.value}>{formatName(info.format)}</dd>
                  <dt className={p.key}>Type</dt>
                  <dd className={p.value}>{typeName(info.type)}</dd>
                  <dt className={p.key}>Maximum size</dt>
                  <dd className={p.value}>
                    {formatBytes(info.virtualSize)} ({info.virtualSize.toLocaleString('en-US')} bytes)
                  </dd>
                  <dt className={p.key}>Size on disk</dt>
                  <dd className={p.value}>{formatBytes(info.actualSize)}</dd>
                  <dt className={p.key}>Parent</dt>
                  <dd className={p.value}>{info.parent ?? 'None'}</dd>
                  <dt className={p.key}>Used by</dt>
                  <dd className={p.value}>{uses.length === 0 ? 'No virtual machine' : uses.map((u) => `${u.vmName} (${u.state}, ${u.where})`).join('; ')}</dd>
                </dl>
                {info.chain.length > 1 && (
                  <div>
                    <strong>Parent chain</strong>
                    <ol className={s.chain} aria-label="Parent chain" data-testid="disk-chain">
                      {info.chain.map((l, i) => (
                        <li key={`${l.path}-${i}`}>
                          {l.exists ? <CheckmarkCircle16Filled className={s.ok} aria-label="present" /> : <ErrorCircle16Filled className={s.bad} aria-label="missing" />}
                          <span className={s.path}>{l.path}</span> {l.format ? `(${formatName(l.format)})` : ''} {l.exists ? '' : '— missing'}
                        </li>
                      ))}
                    </ol>
                  </div>
                )}
                {info.intact ? (
                  <MessageBar intent="success">
                    <MessageBarBody>The chain is intact: every disk it needs is present.</MessageBarBody>
                  </MessageBar>
                ) : (
                  <MessageBar intent="error" layout="multiline">
                    <MessageBarBody>
                      The parent {missing?.path ?? ''} is missing, so this disk cannot be used. If the parent was moved or renamed, reconnect it.
                    </MessageBarBody>
                  </MessageBar>
                )}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {info && !info.intact && info.format === 'qcow2' && (
              <Button className={s.nowrap} appearance="primary" onClick={() => openDialog({ kind: 'editDisk', path: info.path, action: 'reconnect' })}>
                Reconnect…
              </Button>
            )}
            {info && (
              <Button className={s.nowrap} onClick={() => openDialog({ kind: 'editDisk', path: info.path })}>
                Edit Disk…
              </Button>
            )}
            <Button onClick={closeDialog}>Close</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
