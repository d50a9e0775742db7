import { useState } from 'react';
import { Field, Input, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { CheckmarkCircle16Regular, DismissCircle16Regular } from '@fluentui/react-icons';
import { formatBytes, type UserDiskFormat } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { usePageStyles } from '../wizards/page-styles';
import { WizardFrame } from '../wizards/WizardFrame';
import { FORMAT_FACTS, checkSize, formatName, typeName } from './disk-model';
import { JobProgress } from './JobProgress';
import { defaultNewDisk, newDiskCall, newDiskCli, newDiskPath, setFormat, validateNewDisk, type NewDiskDraft, type NewDiskPageId } from './new-disk-draft';
import { useInspect, useSpace } from './use-disk-facts';
import { useJobWizard } from './use-job-wizard';

const PAGES: readonly { id: NewDiskPageId; title: string }[] = [
  { id: 'begin', title: 'Before You Begin' },
  { id: 'format', title: 'Choose Disk Format' },
  { id: 'type', title: 'Choose Disk Type' },
  { id: 'name', title: 'Specify Name and Location' },
  { id: 'configure', title: 'Configure Disk' },
  { id: 'summary', title: 'Completing the Wizard' },
];

const useStyles = makeStyles({
  table: { borderCollapse: 'collapse', fontSize: tokens.fontSizeBase200, maxWidth: '600px' },
  th: { textAlign: 'start', padding: '4px 10px 4px 0', color: tokens.colorNeutralForeground3, fontWeight: tokens.fontWeightRegular, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  td: { padding: '4px 10px 4px 0', borderBottom: `1px solid ${tokens.colorNeutralStroke3}` },
  yes: { color: tokens.colorPaletteGreenForeground1, verticalAlign: 'middle' },
  no: { color: tokens.colorPaletteRedForeground1, verticalAlign: 'middle' },
  facts: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

function YesNo({ ok, label }: { ok: boolean; label: string }) {
  const s = useStyles();
  return ok ? (
    <span>
      <CheckmarkCircle16Regular className={s.yes} aria-hidden="true" /> {label}
    </span>
  ) : (
    <span>
      <DismissCircle16Regular className={s.no} aria-hidden="true" /> {label}
    </span>
  );
}

/** New Virtual Hard Disk wizard: format, type, name and location, size / copy / parent, summary; runs as a job. */
export function NewDiskWizard() {
  const s = useStyles();
  const p = usePageStyles();
  const engine = useEngine();
  const root = useConsole((st) => st.host?.storageRoots[0] ?? st.host?.dataDir ?? '');
  const [d, setD] = useState<NewDiskDraft>(() => defaultNewDisk(root));
  const { page, setError, liveJob, showProgress, launch, frame } = useJobWizard(PAGES.length);

  const space = useSpace(d.location);
  const copy = useInspect(d.type !== 'differencing' && d.source === 'copy' ? d.copyFrom : '');
  const parent = useInspect(d.type === 'differencing' ? d.parent : '');
  const errors = validateNewDisk(d, {
    space: space.space,
    spaceError: space.error?.message ?? null,
    copyInfo: copy.info,
    copyError: copy.error?.message ?? null,
    parentInfo: parent.info,
    parentError: parent.error?.message ?? null,
  });
  const has = (id: NewDiskPageId) => Object.keys(errors[id]).length > 0;
  const pageId = PAGES[page]?.id ?? 'begin';
  const allValid = PAGES.every((x) => !has(x.id)) && !copy.loading && !parent.loading;
  const set = (patch: Partial<NewDiskDraft>): void => {
    setD((x) => ({ ...x, ...patch }));
    setError(null);
  };
  const fs = (e: string | undefined) => (e ? { validationState: 'error' as const, validationMessage: e } : {});

  const finish = (): Promise<void> =>
    launch(() => {
      const call = newDiskCall(d);
      return call.method === 'disk.create' ? engine.call('disk.create', call.params) : engine.call('disk.convert', call.params);
    });

  const facts = FORMAT_FACTS[d.format];
  const bytes = checkSize(d.size, d.format).bytes;
  return (
    <WizardFrame
      title="New Virtual Hard Disk Wizard"
      testId="wizard-new-disk"
      steps={PAGES.map((x) => ({ id: x.id, title: x.title, invalid: has(x.id) }))}
      {...frame}
      canNext={!has(pageId) && !showProgress}
      canFinish={allValid && !showProgress}
      onFinish={() => void finish()}
    >
      {showProgress && liveJob !== null && <JobProgress initial={liveJob} />}
      {!showProgress && pageId === 'begin' && (
        <>
          <p className={p.intro}>
            This wizard helps you create a new virtual hard disk: a file that a virtual machine uses as its hard drive. You choose the format
            and type, where the file goes and how large it is — or which disk or image to copy into it.
          </p>
          <ul className={p.list}>
            <li>Every step runs as a job you can follow and cancel; nothing is created until it is complete.</li>
            <li>To change an existing disk (compact, convert, expand, merge), use Edit Disk instead.</li>
          </ul>
        </>
      )}
      {!showProgress && pageId === 'format' && (
        <>
          <RadioGroup value={d.format} onChange={(_, v) => setD((x) => setFormat(x, v.value as UserDiskFormat))} aria-label="Disk format">
            <Radio value="vhd" label="VHD — Hyper-V and Virtual PC compatible, up to 2040 GB" />
            <Radio value="vhdx" label="VHDX — Hyper-V 2012 and later, up to 64 TB" />
            <Radio value="qcow2" label="qcow2 — QEMU’s own format, up to 64 TB" />
          </RadioGroup>
          <p className={p.intro}>{facts.notes}</p>
          <table className={s.table} aria-label="What each format allows">
            <thead>
              <tr>
                <th className={s.th}>Format</th>
                <th className={s.th}>Largest</th>
                <th className={s.th}>Types</th>
                <th className={s.th}>Save, snapshots, migration while in use</th>
              </tr>
            </thead>
            <tbody>
              {(['vhd', 'vhdx', 'qcow2'] as const).map((f) => (
                <tr key={f}>
                  <td className={s.td}>{FORMAT_FACTS[f].label}</td>
                  <td className={s.td}>{f === 'vhd' ? '2040 GB' : '64 TB'}</td>
                  <td className={s.td}>{FORMAT_FACTS[f].types.map((t) => typeName(t).split(' ')[0]).join(', ')}</td>
                  <td className={s.td}>
                    {f === 'qcow2' ? <YesNo ok label="always" /> : f === 'vhd' ? <YesNo ok={false} label="fixed only (dynamic blocks them)" /> : <YesNo ok={false} label="no (QEMU blocks them)" />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!showProgress && pageId === 'type' && (
        <>
          <RadioGroup value={d.type} onChange={(_, v) => set({ type: v.value as NewDiskDraft['type'] })} aria-label="Disk type">
            <Radio value="dynamic" label="Dynamically expanding — the file grows as data is written" />
            <Radio value="fixed" label="Fixed size — all space is taken now; fastest, and never runs out" />
            <Radio value="differencing" label="Differencing — records changes against a parent disk, which stays unchanged" disabled={!facts.types.includes('differencing')} />
          </RadioGroup>
          {!facts.types.includes('differencing') && <p className={p.note}>Differencing disks are created as qcow2 (their parent may be a VHD or VHDX): qemu-img cannot write {facts.label} differencing disks.</p>}
          {errors.type['type'] && <p className={p.note}>{errors.type['type']}</p>}
          <p className={p.intro}>
            {d.type === 'differencing'
              ? 'A qcow2 differencing disk can be saved, snapshotted and migrated like any qcow2 disk.'
              : facts.saveSnapshotMigrate[d.type]
                ? `A ${typeName(d.type).toLowerCase()} ${facts.label} disk allows Save, snapshots and migration of the VM that uses it.`
                : `While a ${typeName(d.type).toLowerCase()} ${facts.label} disk is open, QEMU cannot save, snapshot or migrate the VM. Viridian can convert it to qcow2 (even while the VM runs).`}
          </p>
        </>
      )}
      {!showProgress && pageId === 'name' && (
        <div className={p.fields}>
          <Field label="Name" {...fs(errors.name['name'])}>
            <Input value={d.name} onChange={(_, v) => set({ name: v.value })} />
          </Field>
          <Field label="Location" hint="A folder on this host, inside its storage roots." {...fs(errors.name['location'])}>
            <Input value={d.location} onChange={(_, v) => set({ location: v.value })} />
          </Field>
          {space.space && (
            <p className={p.note} data-testid="free-space">
              {formatBytes(space.space.freeBytes)} free in {space.space.folder}.
            </p>
          )}
        </div>
      )}
      {!showProgress && pageId === 'configure' && (
        <div className={p.fields}>
          {d.type === 'differencing' ? (
            <>
              <Field label="Parent disk" hint="The disk whose contents this one starts from; it is never written to." {...fs(errors.configure['parent'])}>
                <Input value={d.parent} onChange={(_, v) => set({ parent: v.value })} />
              </Field>
              {parent.info && (
                <p className={s.facts}>
                  {formatName(parent.info.format)}, {typeName(parent.info.type).toLowerCase()}, {formatBytes(parent.info.virtualSize)}
                </p>
              )}
            </>
          ) : (
            <RadioGroup value={d.source} onChange={(_, v) => set({ source: v.value === 'copy' ? 'copy' : 'blank' })} aria-label="Contents">
              <Radio value="blank" label="Create a new blank virtual hard disk" />
              {d.source === 'blank' && (
                <div className={p.indent}>
                  <Field label="Size" hint={`Up to ${d.format === 'vhd' ? '2040 GB' : '64 TB'}. For example 127 GB or 512 MB.`} {...fs(errors.configure['size'])}>
                    <Input value={d.size} onChange={(_, v) => set({ size: v.value })} style={{ width: 180 }} />
                  </Field>
                </div>
              )}
              <Radio value="copy" label="Copy the contents of an existing disk or image (VHD, VHDX, qcow2, raw .img, VMDK, VDI)" />
              {d.source === 'copy' && (
                <div className={p.indent}>
                  <Field label="Disk or image to copy" hint="The new disk gets its size and contents; the source is not changed." {...fs(errors.configure['copyFrom'])}>
                    <Input value={d.copyFrom} onChange={(_, v) => set({ copyFrom: v.value })} />
                  </Field>
                  {copy.info && (
                    <p className={s.facts}>
                      {formatName(copy.info.format)}, {typeName(copy.info.type).toLowerCase()}, {formatBytes(copy.info.virtualSize)} ({formatBytes(copy.info.actualSize)} on disk)
                    </p>
                  )}
                </div>
              )}
            </RadioGroup>
          )}
        </div>
      )}
      {!showProgress && pageId === 'summary' && (
        <>
          <p className={p.intro}>You are about to create this virtual hard disk:</p>
          <dl className={p.summary}>
            <dt className={p.key}>Path</dt>
            <dd className={p.value}>{newDiskPath(d)}</dd>
            <dt className={p.key}>Format</dt>
            <dd className={p.value}>{d.type === 'differencing' ? 'qcow2' : facts.label}</dd>
            <dt className={p.key}>Type</dt>
            <dd className={p.value}>{typeName(d.type)}</dd>
            {d.type === 'differencing' ? (
              <>
                <dt className={p.key}>Parent</dt>
                <dd className={p.value}>{d.parent}</dd>
              </>
            ) : d.source === 'copy' ? (
              <>
                <dt className={p.key}>Copy of</dt>
                <dd className={p.value}>{d.copyFrom}</dd>
              </>
            ) : (
              <>
                <dt className={p.key}>Size</dt>
                <dd className={p.value}>{bytes === null ? d.size : formatBytes(bytes)}</dd>
              </>
            )}
            <dt className={p.key}>Save / snapshots</dt>
            <dd className={p.value}>{d.type === 'differencing' || facts.saveSnapshotMigrate[d.type] ? 'Available' : 'Blocked while the disk is open (convert to qcow2 to allow them)'}</dd>
            <dt className={p.key}>Equivalent command</dt>
            <dd className={p.value} style={{ fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 }}>
              {newDiskCli(d)}
            </dd>
          </dl>
        </>
      )}
    </WizardFrame>
  );
}
