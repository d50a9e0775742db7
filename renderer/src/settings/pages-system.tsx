import { Button, Checkbox, Field, SpinButton, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDown16Regular, ArrowUp16Regular } from '@fluentui/react-icons';
import { MIN_MEMORY_MIB, type BootDevice } from '../../../core/contract';
import { usePageStyles } from '../wizards/page-styles';
import { fieldState } from '../wizards/new-vm/page-props';
import { spinValue } from '../wizards/new-vm/pages-name-memory';
import type { SettingsPageProps } from './settings-page-props';

export const BOOT_LABELS: Record<BootDevice, string> = {
  cd: 'CD',
  ide: 'IDE (hard disk)',
  net: 'Legacy Network Adapter',
  floppy: 'Floppy',
};

const useStyles = makeStyles({
  order: {
    margin: 0,
    padding: 0,
    listStyleType: 'none',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    width: '320px',
  },
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: '4px',
    padding: '2px 4px 2px 10px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
    ':last-child': { borderBottom: 'none' },
  },
  label: { flexGrow: 1 },
  num: { color: tokens.colorNeutralForeground3, width: '18px' },
});

const num = (d: { value?: number | null; displayValue?: string }): number => spinValue(d) ?? Number.NaN;

export function BiosPage({ draft, set, disabled }: SettingsPageProps) {
  const p = usePageStyles();
  const s = useStyles();
  const order = draft.bios.bootOrder;
  const move = (i: number, delta: number): void =>
    set((c) => {
      const next = [...c.bios.bootOrder];
      const [item] = next.splice(i, 1);
      if (item !== undefined) next.splice(i + delta, 0, item);
      return { ...c, bios: { ...c.bios, bootOrder: next } };
    });
  return (
    <>
      <p className={p.intro}>The virtual machine tries these devices in order when it starts.</p>
      <Field label="Startup order">
        <ol className={s.order} aria-label="Startup order">
          {order.map((dev, i) => (
            <li key={dev} className={s.item}>
              <span className={s.num}>{i + 1}.</span>
              <span className={s.label}>{BOOT_LABELS[dev]}</span>
              <Button
                size="small"
                appearance="subtle"
                icon={<ArrowUp16Regular />}
                aria-label={`Move ${BOOT_LABELS[dev]} up`}
                disabled={disabled || i === 0}
                onClick={() => move(i, -1)}
              />
              <Button
                size="small"
                appearance="subtle"
                icon={<ArrowDown16Regular />}
                aria-label={`Move ${BOOT_LABELS[dev]} down`}
                disabled={disabled || i === order.length - 1}
                onClick={() => move(i, 1)}
              />
            </li>
          ))}
        </ol>
      </Field>
      <Checkbox
        label="Num Lock on at startup"
        disabled={disabled}
        checked={draft.bios.numLock}
        onChange={(_, d) => set((c) => ({ ...c, bios: { ...c.bios, numLock: d.checked === true } }))}
      />
    </>
  );
}

export function MemoryPage({ draft, set, errors, disabled, host }: SettingsPageProps) {
  const p = usePageStyles();
  const max = host?.maxVmMemoryMiB ?? 4096;
  return (
    <>
      <p className={p.intro}>Memory the virtual machine sees as installed RAM. It comes from this host while the virtual machine runs.</p>
      <Field label="Startup RAM (MiB)" hint={`Between ${MIN_MEMORY_MIB} and ${max} MiB on this host.`} {...fieldState(errors['memory'])}>
        <SpinButton
          className={p.narrow}
          disabled={disabled}
          value={draft.memoryMiB}
         
         
          step={128}
          onChange={(_, d) => set((c) => ({ ...c, memoryMiB: num(d) }))}
        />
      </Field>
    </>
  );
}

export function ProcessorPage({ draft, set, errors, disabled, host }: SettingsPageProps) {
  const p = usePageStyles();
  const pr = draft.processor;
  const setPr = (patch: Partial<typeof pr>): void => set((c) => ({ ...c, processor: { ...c.processor, ...patch } }));
  return (
    <>
      <div className={p.fields}>
        <Field
          label="Number of logical processors"
          hint={host !== null ? `This host has ${host.cpus}.` : null}
          {...fieldState(errors['count'])}
        >
          <SpinButton className={p.narrow} disabled={disabled} value={pr.count} onChange={(_, d) => setPr({ count: num(d) })} />
        </Field>
      </div>
      <p className={p.intro}>Resource control balances this virtual machine against the others on the host.</p>
      <div className={p.row}>
        <Field label="Virtual machine reserve (%)" {...fieldState(errors['reserve'])}>
          <SpinButton className={p.narrow} disabled={disabled} value={pr.reservePercent} onChange={(_, d) => setPr({ reservePercent: num(d) })} />
        </Field>
        <Field label="Virtual machine limit (%)" {...fieldState(errors['limit'])}>
          <SpinButton className={p.narrow} disabled={disabled} value={pr.limitPercent} onChange={(_, d) => setPr({ limitPercent: num(d) })} />
        </Field>
        <Field label="Relative weight" hint="1 to 10000; 100 is normal." {...fieldState(errors['weight'])}>
          <SpinButton className={p.narrow} disabled={disabled} value={pr.weight} step={10} onChange={(_, d) => setPr({ weight: num(d) })} />
        </Field>
      </div>
    </>
  );
}
