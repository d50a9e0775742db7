import { useState } from 'react';
import { Field, Input, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { formatBytes, type Job, type UserDiskFormat } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { usePageStyles } from '../wizards/page-styles';
import { WizardFrame } from '../wizards/WizardFrame';
import { ACTION_TEXT, FORMAT_FACTS, checkSize, editActions, formatName, typeName, withExtension, type EditAction } from './disk-model';
import { defaultEditDraft, editCall, editCli, suggestDestination, validateEdit, type EditDiskDraft, type EditPageId } from './edit-disk-draft';
import { JobProgress } from './JobProgress';
import { useInspect } from './use-disk-facts';
import { useJobWizard } from './use-job-wizard';

const PAGES: readonly { id: EditPageId; title: string }[] = [
  { id: 'locate', title: 'Locate Disk' },
  { id: 'action', title: 'Choose Action' },
  { id: 'configure', title: 'Configure Disk' },
  { id: 'summary', title: 'Completing the Wizard' },
];

const useStyles = makeStyles({
  facts: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  why: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, marginLeft: '28px', marginTop: '-4px' },
});

/** Edit Disk: compact, convert, expand, merge, reconnect — each a job with progress, cancel and the CLI line. */
export function EditDiskWizard({ path, action }: { path?: string | undefined; action?: EditAction | undefined }) {
  const s = useStyles();
  const p = usePageStyles();
  const engine = useEngine();
  const [d, setD] = useState<EditDiskDraft>(() => defaultEditDraft(path ?? '', action ?? 'compact'));
  const { page, setError, liveJob, showProgress, launch, frame } = useJobWizard(PAGES.length, path ? (action ? 2 : 1) : 0);
  const { info, error: inspectError, loading } = useInspect(d.path);
  const errors = validateEdit(d, info, inspectError?.message ?? null);
  const has = (id: EditPageId) => Object.keys(errors[id]).length > 0;
  const pageId = PAGES[page]?.id ?? 'locate';
  const set = (patch: Partial<EditDiskDraft>): void => {
    setD((x) => ({ ...x, ...patch }));
    setError(null);
  };
  const fs = (e: string | undefined) => (e ? { validationState: 'error' as const, validationMessage: e } : {});
  const allowed = info ? editActions(info) : null;

  const chooseAction = (a: EditAction): void => {
    const fmt: UserDiskFormat = info?.format === 'vpc' ? 'vhd' : info?.format === 'vhdx' ? 'vhdx' : 'qcow2';
    if (a === 'convert') {
      // Fixed ↔ dynamic is the classic conversion; qcow2 is the suggestion for VHD/VHDX (Save and snapshots work on it).
      const format: UserDiskFormat = fmt === 'qcow2' ? 'vhd' : 'qcow2';
      const type = info?.type === 'fixed' ? 'dynamic' : 'fixed';
      set({ action: a, format, type: format === 'qcow2' ? 'dynamic' : type, destination: suggestDestination(d.path, format, 'converted') });
    } else if (a === 'merge') set({ action: a, format: info?.chain.at(-1)?.format === 'vpc' ? 'vhd' : 'qcow2', destination: suggestDestination(d.path, 'qcow2', 'merged') });
    else if (a === 'expand') set({ action: a, size: info ? `${Math.ceil((info.virtualSize * 2) / 1024 ** 3)} GB` : '' });
    else set({ action: a });
  };

  const finish = (): Promise<void> =>
    launch(async () => {
      const c = editCall(d, info);
      return (await engine.call(c.method, c.params as never)) as Job;
    });

  const allValid = PAGES.every((x) => !has(x.id)) && !loading;
  return (
    <WizardFrame
      title="Edit Virtual Hard Disk Wizard"
      testId="wizard-edit-disk"
      steps={PAGES.map((x) => ({ id: x.id, title: x.title, invalid: x.id !== 'locate' && has(x.id) }))}
      {...frame}
      canNext={!has(pageId) && !showProgress && !loading}
      canFinish={allValid && !showProgress}
      onFinish={() => void finish()}
    >
      {showProgress && liveJob !== null && <JobProgress initial={liveJob} />}
      {!showProgress && pageId === 'locate' && (
        <div className={p.fields}>
          <p className={p.intro}>Which virtual hard disk do you want to edit? A disk used by a running or saved virtual machine cannot be changed.</p>
          <Field label="Path" {...fs(d.path.trim() === '' ? undefined : (inspectError?.message ?? undefined))}>
            <Input value={d.path} onChange={(_, v) => set({ path: v.value })} placeholder="/path/to/disk.vhd" />
          </Field>
          {info && (
            <p className={s.facts} data-testid="edit-disk-facts">
              {formatName(info.format)}, {typeName(info.type).toLowerCase()}, {formatBytes(info.virtualSize)} ({formatBytes(info.actualSize)} on disk)
              {info.parent ? `, parent ${info.parent}${info.intact ? '' : ' (missing)'}` : ''}
            </p>
          )}
        </div>
      )}
      {!showProgress && pageId === 'action' && allowed && (
        <>
          <p className={p.intro}>What do you want to do to the disk?</p>
          <RadioGroup value={d.action} onChange={(_, v) => chooseAction(v.value as EditAction)} aria-label="Action">
            {(Object.keys(ACTION_TEXT) as EditAction[]).map((a) => (
              <div key={a}>
                <Radio value={a} label={`${ACTION_TEXT[a].title} — ${ACTION_TEXT[a].help}`} disabled={allowed[a] !== null} />
                {allowed[a] !== null && <div className={s.why}>{allowed[a]}</div>}
              </div>
            ))}
          </RadioGroup>
        </>
      )}
      {!showProgress && pageId === 'configure' && info && (
        <div className={p.fields}>
          {d.action === 'compact' && <p className={p.intro}>The disk will be rewritten without its unused and zeroed blocks into a temporary file, which then replaces it. Now {formatBytes(info.actualSize)} on disk.</p>}
          {d.action === 'expand' && (
            <Field label="New size" hint={`Now ${formatBytes(info.virtualSize)}. ${info.format === 'vpc' ? 'A VHD holds at most 2040 GB.' : ''} Afterwards, extend the partition inside the guest.`} {...fs(errors.configure['size'])}>
              <Input value={d.size} onChange={(_, v) => set({ size: v.value })} style={{ width: 180 }} />
            </Field>
          )}
          {d.action === 'reconnect' && (
            <Field label="Parent disk" hint={`It was ${info.parent ?? '?'}.`} {...fs(errors.configure['parent'])}>
              <Input value={d.parent} onChange={(_, v) => set({ parent: v.value })} />
            </Field>
          )}
          {d.action === 'merge' && (
            <RadioGroup value={d.into} onChange={(_, v) => set({ into: v.value === 'new' ? 'new' : 'parent' })} aria-label="Merge into">
              <Radio value="parent" label={`To the parent virtual hard disk (${info.parent ?? ''}); this differencing disk is then deleted`} />
              <Radio value="new" label="To a new virtual hard disk; both originals stay" />
            </RadioGroup>
          )}
          {(d.action === 'convert' || (d.action === 'merge' && d.into === 'new')) && (
            <>
              <Field label="Format" {...fs(errors.configure['format'])}>
                <RadioGroup layout="horizontal" value={d.format} onChange={(_, v) => set({ format: v.value as UserDiskFormat, destination: withExtension(d.destination, v.value as UserDiskFormat) })}>
                  <Radio value="qcow2" label="qcow2" />
                  <Radio value="vhd" label="VHD" />
                  <Radio value="vhdx" label="VHDX" />
                </RadioGroup>
              </Field>
              <Field label="Type">
                <RadioGroup layout="horizontal" value={d.type} onChange={(_, v) => set({ type: v.value === 'fixed' ? 'fixed' : 'dynamic' })}>
                  <Radio value="dynamic" label="Dynamically expanding" />
                  <Radio value="fixed" label="Fixed size" />
                </RadioGroup>
              </Field>
              <p className={p.note}>{FORMAT_FACTS[d.format].notes}</p>
              <Field label="New virtual hard disk" {...fs(errors.configure['destination'])}>
                <Input value={d.destination} onChange={(_, v) => set({ destination: v.value })} />
              </Field>
            </>
          )}
        </div>
      )}
      {!showProgress && pageId === 'summary' && info && (
        <>
          <p className={p.intro}>You are about to edit this virtual hard disk:</p>
          <dl className={p.summary}>
            <dt className={p.key}>Disk</dt>
            <dd className={p.value}>{d.path}</dd>
            <dt className={p.key}>Action</dt>
            <dd className={p.value}>{ACTION_TEXT[d.action].title}</dd>
            {d.action === 'expand' && (
              <>
                <dt className={p.key}>New size</dt>
                <dd className={p.value}>{formatBytes(checkSize(d.size, info.format === 'vpc' ? 'vhd' : info.format === 'vhdx' ? 'vhdx' : 'qcow2').bytes ?? 0)}</dd>
              </>
            )}
            {(d.action === 'convert' || (d.action === 'merge' && d.into === 'new')) && (
              <>
                <dt className={p.key}>New disk</dt>
                <dd className={p.value}>
                  {d.destination} ({FORMAT_FACTS[d.format].label}, {typeName(d.type).toLowerCase()})
                </dd>
              </>
            )}
            {d.action === 'merge' && d.into === 'parent' && (
              <>
                <dt className={p.key}>Into</dt>
                <dd className={p.value}>{info.parent}</dd>
              </>
            )}
            {d.action === 'reconnect' && (
              <>
                <dt className={p.key}>New parent</dt>
                <dd className={p.value}>{d.parent}</dd>
              </>
            )}
            <dt className={p.key}>Safety</dt>
            <dd className={p.value}>
              {d.action === 'reconnect' ? 'Only the header changes; it is backed up first and put back if anything fails.' : 'Written to a temporary file; the original is replaced (or left alone) only when the work is complete.'}
            </dd>
            <dt className={p.key}>Equivalent command</dt>
            <dd className={p.value} style={{ fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 }}>
              {editCli(d, info)}
            </dd>
          </dl>
        </>
      )}
    </WizardFrame>
  );
}
