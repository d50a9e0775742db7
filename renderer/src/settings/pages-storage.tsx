import { Button, Field, Input, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { Add16Regular, Delete16Regular } from '@fluentui/react-icons';
import { formatBytes, type DiskAttachment, type IdeSlot, type VmConfig } from '../../../core/contract';
import { usePageStyles } from '../wizards/page-styles';
import { fieldState } from '../wizards/new-vm/page-props';
import type { SettingsPageProps } from './settings-page-props';
import { DeviceKindBadge } from '../disks/DevicesSummary';

const useStyles = makeStyles({
  slot: {
    display: 'flex',
    flexDirection: 'column',
    gap: '8px',
    padding: '10px 12px',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxWidth: '560px',
  },
  slotTitle: { margin: 0, fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase300 },
  disk: { display: 'flex', gap: '8px', alignItems: 'flex-end' },
  grow: { flexGrow: 1 },
});

function newDisk(path: string): DiskAttachment {
  // Format, type and size are read with disk.inspect when the settings are applied.
  return { kind: 'disk', path, format: 'qcow2', type: 'dynamic', virtualSize: 0, readOnly: false };
}

export function diskFacts(d: DiskAttachment, original: VmConfig): string {
  const known = [...original.ide.flat(), ...original.scsi].find((x) => x?.kind === 'disk' && x.path === d.path);
  if (known === undefined || known === null || known.kind !== 'disk') return 'Its format and size are read from the file when you apply.';
  const type = known.type === 'dynamic' ? 'dynamically expanding' : known.type;
  return `${known.format.toUpperCase()}, ${type}, ${formatBytes(known.virtualSize)}${known.readOnly ? ', read-only' : ''}`;
}

function IdeSlotEditor({
  title,
  slot,
  onChange,
  disabled,
  error,
  original,
}: {
  title: string;
  slot: IdeSlot;
  onChange: (s: IdeSlot) => void;
  disabled: boolean;
  error: string | undefined;
  original: VmConfig;
}) {
  const s = useStyles();
  const p = usePageStyles();
  const mode = slot === null ? 'none' : slot.kind;
  return (
    <fieldset className={s.slot} style={{ margin: 0 }}>
      <legend className={s.slotTitle}>{title}</legend>
      <RadioGroup
        layout="horizontal"
        disabled={disabled}
        value={mode}
        aria-label={`${title} device`}
        onChange={(_, d) => onChange(d.value === 'none' ? null : d.value === 'disk' ? newDisk('') : { kind: 'dvd', path: null })}
      >
        <Radio value="none" label="None" />
        <Radio value="disk" label="Hard drive" />
        <Radio value="dvd" label="DVD drive" />
      </RadioGroup>
      {slot?.kind === 'disk' && (
        <Field label="Virtual hard disk" hint={diskFacts(slot, original)} {...fieldState(error)}>
          <Input disabled={disabled} value={slot.path} onChange={(_, d) => onChange({ ...slot, path: d.value })} />
        </Field>
      )}
      {slot?.kind === 'dvd' && (
        <>
          <RadioGroup
            disabled={disabled}
            value={slot.path === null ? 'empty' : 'image'}
            aria-label={`${title} media`}
            onChange={(_, d) => onChange({ kind: 'dvd', path: d.value === 'empty' ? null : (slot.path ?? '') })}
          >
            <Radio value="empty" label="No media" />
            <Radio value="image" label="Image file (.iso)" />
          </RadioGroup>
          {slot.path !== null && (
            <div className={p.indent}>
              <Field {...fieldState(error)}>
              <Input
                aria-label={`${title} image file`}
                disabled={disabled}
                value={slot.path}
                onChange={(_, d) => onChange({ kind: 'dvd', path: d.value })}
              />
              </Field>
            </div>
          )}
        </>
      )}
    </fieldset>
  );
}

export function IdePage({ controller, draft, original, set, errors, disabled }: SettingsPageProps & { controller: 0 | 1 }) {
  const p = usePageStyles();
  const ctrl = draft.ide[controller];
  const setSlot = (i: 0 | 1, slot: IdeSlot): void =>
    set((c) => {
      const ide = c.ide.map((x) => [...x]) as unknown as VmConfig['ide'];
      ide[controller][i] = slot;
      return { ...c, ide };
    });
  return (
    <>
      <p className={p.intro}>
        <DeviceKindBadge kind="emulated" /> Two devices can be attached to each IDE controller (emulated PIIX IDE: no drivers needed, but
        every access is emulated, and devices change only while the virtual machine is off). The virtual machine starts from a hard drive on IDE, so the startup disk
        belongs here.
      </p>
      <IdeSlotEditor title="Location 0" slot={ctrl[0]} onChange={(x) => setSlot(0, x)} disabled={disabled} error={errors['slot0']} original={original} />
      <IdeSlotEditor title="Location 1" slot={ctrl[1]} onChange={(x) => setSlot(1, x)} disabled={disabled} error={errors['slot1']} original={original} />
    </>
  );
}

export function ScsiPage({ draft, original, set, errors, disabled }: SettingsPageProps) {
  const p = usePageStyles();
  const s = useStyles();
  const setDisks = (fn: (d: VmConfig['scsi']) => VmConfig['scsi']): void => set((c) => ({ ...c, scsi: fn(c.scsi) }));
  const freeLun = (): number => {
    const used = new Set(draft.scsi.map((d) => d.lun));
    let lun = 0;
    while (used.has(lun)) lun++;
    return lun;
  };
  return (
    <>
      <p className={p.intro}>
        <DeviceKindBadge kind="synthetic" /> The SCSI controller is synthetic (virtio-scsi): disks can be added and removed while the
        virtual machine runs — OK or Apply plugs them in at once (the guest needs virtio drivers).
      </p>
      {draft.scsi.length === 0 && <p className={p.note}>No disks are attached to the SCSI controller.</p>}
      {draft.scsi.map((d, i) => (
        <div key={`${d.lun}`} className={s.disk}>
          <Field className={s.grow} label={`LUN ${d.lun}`} hint={diskFacts(d, original)} {...fieldState(errors[`disk${i}`])}>
            <Input
              disabled={disabled}
              value={d.path}
              onChange={(_, v) => setDisks((list) => list.map((x, j) => (j === i ? { ...x, path: v.value } : x)))}
            />
          </Field>
          <Button
            icon={<Delete16Regular />}
            disabled={disabled}
            aria-label={`Remove the disk at LUN ${d.lun}`}
            onClick={() => setDisks((list) => list.filter((_, j) => j !== i))}
            style={{ marginBottom: 22 }}
          >
            Remove
          </Button>
        </div>
      ))}
      <div>
        <Button
          icon={<Add16Regular />}
          disabled={disabled || draft.scsi.length >= 64}
          onClick={() => setDisks((list) => [...list, { ...newDisk(''), lun: freeLun() }])}
        >
          Add Hard Drive
        </Button>
      </div>
    </>
  );
}

export function DiskettePage({ draft, set, errors, disabled }: SettingsPageProps) {
  const p = usePageStyles();
  return (
    <>
      <p className={p.intro}>A virtual floppy disk (.vfd) in the diskette drive.</p>
      <RadioGroup
        disabled={disabled}
        value={draft.floppy === null ? 'none' : 'file'}
        onChange={(_, d) => set((c) => ({ ...c, floppy: d.value === 'none' ? null : (c.floppy ?? '') }))}
      >
        <Radio value="none" label="None" />
        <Radio value="file" label="Virtual floppy disk (.vfd) file" />
      </RadioGroup>
      {draft.floppy !== null && (
        <div className={p.indent}>
          <Field label="Path" {...fieldState(errors['floppy'])}>
            <Input disabled={disabled} value={draft.floppy} onChange={(_, d) => set((c) => ({ ...c, floppy: d.value }))} />
          </Field>
        </div>
      )}
    </>
  );
}
