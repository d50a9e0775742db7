import { useState } from 'react';
import { Field, Input, Radio, RadioGroup } from '@fluentui/react-components';
import { formatBytes, parseSize, toErrorInfo, type ErrorInfo, type UserDiskFormat } from '../../../../core/contract';
import { useEngine } from '../../engine/engine-context';
import { useConsole } from '../../state/app-stores';
import { closeDialog } from '../../state/ui-store';
import { usePageStyles } from '../page-styles';
import { WizardFrame } from '../WizardFrame';
import { fieldState } from '../new-vm/page-props';
import { hasErrors } from '../new-vm/validation';
import { joinPath } from '../new-vm/draft';
import { defaultDiskDraft, toDiskParams, validateDiskDraft, type DiskKind, type NewDiskDraft, type NewDiskPage } from './disk-draft';

const PAGES: readonly { id: NewDiskPage; title: string }[] = [
  { id: 'type', title: 'Choose Disk Type' },
  { id: 'name', title: 'Specify Name and Location' },
  { id: 'configure', title: 'Configure Disk' },
  { id: 'summary', title: 'Completing the Wizard' },
];

const EXT: Record<UserDiskFormat, string> = { qcow2: '.qcow2', vhd: '.vhd', vhdx: '.vhdx' };

/** New Virtual Hard Disk wizard: type and format, name and location, size or parent; runs as a job. */
export function NewDiskWizard() {
  const s = usePageStyles();
  const engine = useEngine();
  const root = useConsole((st) => st.host?.storageRoots[0]);
  const [page, setPage] = useState(0);
  const [d, setD] = useState<NewDiskDraft>(() => defaultDiskDraft(root));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const errors = validateDiskDraft(d);
  const pageId = PAGES[page]?.id ?? 'type';
  const allValid = PAGES.every((p) => !hasErrors(errors[p.id]));
  const set = (patch: Partial<NewDiskDraft>): void => {
    setD((x) => ({ ...x, ...patch }));
    setError(null);
  };

  const finish = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const job = await engine.call('disk.create', toDiskParams(d));
      const done = await engine.call('job.wait', { id: job.id, timeoutMs: 3_600_000 });
      if (done.state === 'completed') closeDialog();
      else {
        setError(done.error ?? { code: 'CANCELLED', message: 'Creating the disk was cancelled.' });
        setBusy(false);
      }
    } catch (err) {
      setError(toErrorInfo(err));
      setBusy(false);
    }
  };

  const bytes = parseSize(d.size);
  return (
    <WizardFrame
      title="New Virtual Hard Disk Wizard"
      testId="wizard-new-disk"
      steps={PAGES.map((p) => ({ id: p.id, title: p.title, invalid: hasErrors(errors[p.id]) }))}
      current={page}
      onStep={setPage}
      canNext={!hasErrors(errors[pageId])}
      canFinish={allValid}
      busy={busy}
      busyLabel="Creating the disk…"
      error={error}
      onFinish={() => void finish()}
      onCancel={closeDialog}
    >
      {pageId === 'type' && (
        <>
          <p className={s.intro}>Choose the format and the kind of virtual hard disk to create.</p>
          <div className={s.fields}>
            <Field label="Format">
              <RadioGroup
                value={d.format}
                onChange={(_, v) => {
                  const format = v.value as UserDiskFormat;
                  set({ format, fileName: d.fileName.replace(/\.(qcow2|vhdx?|)$/i, '') + EXT[format] });
                }}
              >
                <Radio value="qcow2" label="qcow2 — QEMU’s native format; supports snapshots, saved states and migration" />
                <Radio value="vhd" label="VHD — Hyper-V and Virtual PC compatible, up to 2040 GB" />
                <Radio value="vhdx" label="VHDX — Hyper-V compatible, up to 64 TB" />
              </RadioGroup>
            </Field>
            <Field label="Type">
              <RadioGroup value={d.kind} onChange={(_, v) => set({ kind: v.value as DiskKind })}>
                <Radio value="dynamic" label="Dynamically expanding — grows as data is written" />
                <Radio value="fixed" label="Fixed size — takes all its space now; a fixed VHD runs fastest" />
                <Radio value="differencing" label="Differencing — records changes to a parent disk, which stays unchanged" />
              </RadioGroup>
            </Field>
          </div>
        </>
      )}
      {pageId === 'name' && (
        <div className={s.fields}>
          <Field label="Name" {...fieldState(errors.name['fileName'])}>
            <Input value={d.fileName} onChange={(_, v) => set({ fileName: v.value })} />
          </Field>
          <Field label="Location" hint="A folder on this host, inside its storage roots." {...fieldState(errors.name['location'])}>
            <Input value={d.location} onChange={(_, v) => set({ location: v.value })} />
          </Field>
        </div>
      )}
      {pageId === 'configure' && (
        <div className={s.fields}>
          {d.kind === 'differencing' ? (
            <Field label="Parent disk" hint="The disk this one records changes against." {...fieldState(errors.configure['parent'])}>
              <Input value={d.parent} onChange={(_, v) => set({ parent: v.value })} />
            </Field>
          ) : (
            <Field label="Size" hint="For example 127 GB or 512 MB." {...fieldState(errors.configure['size'])}>
              <Input value={d.size} onChange={(_, v) => set({ size: v.value })} style={{ width: 160 }} />
            </Field>
          )}
        </div>
      )}
      {pageId === 'summary' && (
        <>
          <p className={s.intro}>The disk will be created with these settings:</p>
          <dl className={s.summary}>
            <dt className={s.key}>Path</dt>
            <dd className={s.value}>{joinPath(d.location, d.fileName)}</dd>
            <dt className={s.key}>Format</dt>
            <dd className={s.value}>{d.format.toUpperCase()}</dd>
            <dt className={s.key}>Type</dt>
            <dd className={s.value}>{d.kind === 'dynamic' ? 'Dynamically expanding' : d.kind === 'fixed' ? 'Fixed size' : 'Differencing'}</dd>
            <dt className={s.key}>{d.kind === 'differencing' ? 'Parent' : 'Size'}</dt>
            <dd className={s.value}>{d.kind === 'differencing' ? d.parent : bytes === null ? d.size : formatBytes(bytes)}</dd>
          </dl>
        </>
      )}
    </WizardFrame>
  );
}
