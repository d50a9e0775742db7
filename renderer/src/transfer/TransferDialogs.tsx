import { useState } from 'react';
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
  Radio,
  RadioGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { toErrorInfo, type ExportResult, type ImportResult, type Job, type TransferNote } from '../../../core/contract';
import { JobProgress } from '../disks/JobProgress';
import type { EngineApi } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { exportContents } from './export-text';

type TransferDialog = { kind: 'export'; vmId: string } | { kind: 'import' };

const transferUi = createStore<{ dialog: TransferDialog | null }>()(() => ({ dialog: null }));

export function openExportDialog(vmId: string): void {
  transferUi.setState({ dialog: { kind: 'export', vmId } });
}
export function openImportDialog(): void {
  transferUi.setState({ dialog: { kind: 'import' } });
}
const close = () => transferUi.setState({ dialog: null });

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
  text: { margin: 0, lineHeight: tokens.lineHeightBase300, color: tokens.colorNeutralForeground2 },
  report: {
    margin: 0,
    padding: '6px 8px 6px 22px',
    maxHeight: '220px',
    overflow: 'auto',
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
  },
  info: { color: tokens.colorNeutralForeground2 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  error: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
});

/** Every line of an import or export report, errors first-class (nothing is hidden). */
function Report({ notes }: { notes: readonly TransferNote[] }) {
  const s = useStyles();
  if (notes.length === 0) return null;
  return (
    <ul className={s.report} data-testid="transfer-report" aria-label="Report">
      {notes.map((n, i) => (
        <li key={i} className={s[n.level]}>
          {n.level === 'info' ? '' : `${n.level === 'error' ? 'Error' : 'Warning'}: `}
          {n.text}
        </li>
      ))}
    </ul>
  );
}

function useJob(job: Job | null): Job | null {
  const live = useConsole((st) => (job === null ? undefined : st.jobs.get(job.id)));
  return live ?? job;
}

/** The job's progress bar, then its report once it has completed. */
function TransferProgress({ job, notes }: { job: Job | null; notes: readonly TransferNote[] | undefined }) {
  return (
    <>
      {job && <JobProgress initial={job} />}
      {notes && <Report notes={notes} />}
    </>
  );
}

/** Start and Cancel until there is a job, then Close (the job goes on without the dialog). */
function TransferActions({ start, canStart, job }: { start: string; canStart: boolean; job: Job | null }) {
  return (
    <DialogActions>
      {job === null ? (
        <>
          <Button appearance="primary" type="submit" disabled={!canStart}>
            {start}
          </Button>
          <Button onClick={close}>Cancel</Button>
        </>
      ) : (
        <Button appearance="primary" onClick={close}>
          {job.state === 'running' ? 'Close (it goes on)' : 'Close'}
        </Button>
      )}
    </DialogActions>
  );
}

function ExportDialog({ engine, vmId }: { engine: EngineApi; vmId: string }) {
  const s = useStyles();
  const vm = useConsole((st) => st.vms.get(vmId));
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);
  const job = useJob(started);
  if (!vm) return null;
  const result = job?.state === 'completed' ? (job.result as ExportResult | undefined) : undefined;
  const go = async () => {
    setError(null);
    try {
      setStarted(await engine.call('transfer.export', { vm: vm.id, path: path.trim() }));
    } catch (err) {
      setError(toErrorInfo(err).message);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface data-testid="export-dialog" style={{ maxWidth: 560 }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() !== '' && started === null) void go();
          }}
        >
          <DialogBody>
            <DialogTitle>Export Virtual Machine</DialogTitle>
            <DialogContent className={s.form}>
              <p className={s.text}>
                The {exportContents(vm.hasSavedState)} of “{vm.name}” are copied to a new folder named “{vm.name}” inside the folder you give. Import it here or on another host.
              </p>
              <Field label="Export to folder" {...(error !== null ? { validationMessage: error, validationState: 'error' as const } : {})}>
                <Input value={path} placeholder="/home/me/exports" disabled={started !== null} autoFocus onChange={(_, d) => setPath(d.value)} />
              </Field>
              <TransferProgress job={job} notes={result && [{ level: 'info', text: `Exported to ${result.folder} (${result.files} files).` }, ...result.notes]} />
            </DialogContent>
            <TransferActions start="Export" canStart={path.trim() !== ''} job={job} />
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function ImportDialog({ engine }: { engine: EngineApi }) {
  const s = useStyles();
  const [path, setPath] = useState('');
  const [copy, setCopy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Job | null>(null);
  const job = useJob(started);
  const result = job?.state === 'completed' ? (job.result as ImportResult | undefined) : undefined;
  const go = async () => {
    setError(null);
    try {
      setStarted(await engine.call('transfer.import', { path: path.trim(), copy }));
    } catch (err) {
      setError(toErrorInfo(err).message);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface data-testid="import-dialog" style={{ maxWidth: 620 }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() !== '' && started === null) void go();
          }}
        >
          <DialogBody>
            <DialogTitle>Import Virtual Machine</DialogTitle>
            <DialogContent className={s.form}>
              <p className={s.text}>Give the folder an export created, or a Virtual PC / Virtual Server configuration file (.vmc) with its .vhd disks.</p>
              <Field label="Folder or .vmc file" {...(error !== null ? { validationMessage: error, validationState: 'error' as const } : {})}>
                <Input value={path} placeholder="/home/me/exports/web01  or  /mnt/old/Win2k/Win2k.vmc" disabled={started !== null} autoFocus onChange={(_, d) => setPath(d.value)} />
              </Field>
              <RadioGroup value={copy ? 'copy' : 'place'} disabled={started !== null} onChange={(_, d) => setCopy(d.value === 'copy')} aria-label="How to import">
                <Radio value="copy" label="Copy the virtual machine (new id and MAC addresses; the source can be imported again)" />
                <Radio value="place" label="Register it in place (same id; an export folder is moved into the data folder)" />
              </RadioGroup>
              <TransferProgress job={job} notes={result?.notes} />
            </DialogContent>
            <TransferActions start="Import" canStart={path.trim() !== ''} job={job} />
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/** Mounted once in the console: shows the Import or Export dialog when one is open. */
export function TransferDialogs({ engine }: { engine: EngineApi }) {
  const d = useStore(transferUi, (st) => st.dialog);
  if (d === null) return null;
  return d.kind === 'export' ? <ExportDialog key={d.vmId} engine={engine} vmId={d.vmId} /> : <ImportDialog engine={engine} />;
}
