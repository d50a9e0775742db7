import { Field, Input, SpinButton, Text } from '@fluentui/react-components';
import { MIN_MEMORY_MIB } from '../../../../core/contract';
import { usePageStyles } from '../page-styles';
import { diskFileName } from './draft';
import { fieldState, type PageProps } from './page-props';

/** A SpinButton's value whether spun (value) or typed (displayValue). */
export function spinValue(data: { value?: number | null; displayValue?: string }): number | null {
  if (data.value !== undefined && data.value !== null) return data.value;
  if (data.displayValue === undefined || data.displayValue.trim() === '') return null;
  const n = Number(data.displayValue.replace(/\s*(MiB|MB)$/i, ''));
  return Number.isFinite(n) ? n : null;
}

export function NamePage({ draft, update, errors, host }: PageProps) {
  const s = usePageStyles();
  return (
    <>
      <p className={s.intro}>
        Choose a name for this virtual machine. A name that says what it runs (for example its operating system or role) helps you
        find it among many.
      </p>
      <div className={s.fields}>
        <Field label="Name" required {...fieldState(errors['name'])}>
          <Input
            value={draft.name}
            autoFocus
            onChange={(_, d) =>
              update((x) => ({
                ...x,
                name: d.value,
                disk: x.disk.fileNameEdited ? x.disk : { ...x.disk, fileName: diskFileName(d.value, x.disk.format) },
              }))
            }
          />
        </Field>
        <Field label="Location" hint="Each virtual machine gets its own folder there, with its configuration, disks and saved state.">
          <Input value={host?.dataDir ?? ''} readOnly aria-readonly appearance="filled-darker" />
        </Field>
      </div>
    </>
  );
}

export function MemoryPage({ draft, update, errors, host }: PageProps) {
  const s = usePageStyles();
  const max = host?.maxVmMemoryMiB ?? 4096;
  return (
    <>
      <p className={s.intro}>
        Specify how much memory to give this virtual machine: enough for its operating system and programs, but every MiB comes from
        this host while the virtual machine runs.
      </p>
      <div className={s.fields}>
        <Field
          label="Memory (MiB)"
          required
          hint={`Between ${MIN_MEMORY_MIB} MiB and ${max} MiB on this host${host !== null ? ` (${host.memoryMiB} MiB installed)` : ''}.`}
          {...fieldState(errors['memory'])}
        >
          <SpinButton
            className={s.narrow}
            // No min/max: Fluent would clamp silently; the message says what is allowed instead.
            value={draft.memoryMiB}
            step={128}
            onChange={(_, d) => update((x) => ({ ...x, memoryMiB: spinValue(d) }))}
          />
        </Field>
        <Field
          label="Virtual processors"
          required
          hint={host !== null ? `This host has ${host.cpus} logical processors.` : null}
          {...fieldState(errors['cpus'])}
        >
          <SpinButton
            className={s.narrow}
            value={draft.cpus}
            onChange={(_, d) => update((x) => ({ ...x, cpus: spinValue(d) }))}
          />
        </Field>
        {host?.accelerator.kind === 'tcg' && (
          <Text size={200} className={s.note}>
            This host runs virtual machines in software emulation; small amounts of memory and one or two processors keep them
            responsive.
          </Text>
        )}
      </div>
    </>
  );
}
