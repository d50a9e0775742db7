import { Checkbox, Field, Input, Radio, RadioGroup, SpinButton, Textarea } from '@fluentui/react-components';
import type { VmConfig } from '../../../core/contract';
import { usePageStyles } from '../wizards/page-styles';
import { fieldState } from '../wizards/new-vm/page-props';
import { spinValue } from '../wizards/new-vm/pages-name-memory';
import type { SettingsPageProps } from './settings-page-props';

export function NamePage({ draft, set, errors }: SettingsPageProps) {
  const p = usePageStyles();
  return (
    <div className={p.fields}>
      <Field label="Name" required {...fieldState(errors['name'])}>
        <Input value={draft.name} onChange={(_, d) => set((c) => ({ ...c, name: d.value }))} />
      </Field>
      <Field label="Notes" hint="Shown in the details pane.">
        <Textarea value={draft.notes} resize="vertical" rows={6} maxLength={10000} onChange={(_, d) => set((c) => ({ ...c, notes: d.value }))} />
      </Field>
    </div>
  );
}

const SERVICES: readonly [keyof VmConfig['integration'], string][] = [
  ['shutdown', 'Operating system shutdown'],
  ['timeSync', 'Time synchronization'],
  ['kvp', 'Data Exchange'],
  ['heartbeat', 'Heartbeat'],
  ['backup', 'Backup (volume snapshot)'],
];

export function IntegrationPage({ draft, set }: SettingsPageProps) {
  const p = usePageStyles();
  return (
    <>
      <p className={p.intro}>Services the host offers the guest. They work when the guest has the matching support (ACPI, QEMU guest agent).</p>
      <div role="group" aria-label="Integration services" style={{ display: 'flex', flexDirection: 'column' }}>
        {SERVICES.map(([k, label]) => (
          <Checkbox
            key={k}
            label={label}
            checked={draft.integration[k]}
            onChange={(_, d) => set((c) => ({ ...c, integration: { ...c.integration, [k]: d.checked === true } }))}
          />
        ))}
      </div>
    </>
  );
}

export function AutoStartPage({ draft, set, errors }: SettingsPageProps) {
  const p = usePageStyles();
  const a = draft.automaticStart;
  return (
    <>
      <p className={p.intro}>What this virtual machine does when the host (the Viridian engine) starts.</p>
      <RadioGroup
        value={a.action}
        onChange={(_, d) => set((c) => ({ ...c, automaticStart: { ...c.automaticStart, action: d.value as VmConfig['automaticStart']['action'] } }))}
      >
        <Radio value="nothing" label="Nothing" />
        <Radio value="restartIfRunning" label="Automatically start if it was running when the service stopped" />
        <Radio value="alwaysStart" label="Always start this virtual machine automatically" />
      </RadioGroup>
      <Field label="Startup delay (seconds)" hint="Staggers start-up so virtual machines do not all compete at once." {...fieldState(errors['delay'])}>
        <SpinButton
          className={p.narrow}
          disabled={a.action === 'nothing'}
          value={a.delaySec}
         
         
          onChange={(_, d) => set((c) => ({ ...c, automaticStart: { ...c.automaticStart, delaySec: spinValue(d) ?? Number.NaN } }))}
        />
      </Field>
    </>
  );
}

export function AutoStopPage({ draft, set }: SettingsPageProps) {
  const p = usePageStyles();
  return (
    <>
      <p className={p.intro}>What this virtual machine does when the host (the Viridian engine) shuts down.</p>
      <RadioGroup
        value={draft.automaticStop.action}
        onChange={(_, d) => set((c) => ({ ...c, automaticStop: { action: d.value as VmConfig['automaticStop']['action'] } }))}
      >
        <Radio value="save" label="Save the virtual machine state" />
        <Radio value="turnOff" label="Turn off the virtual machine" />
        <Radio value="shutDown" label="Shut down the guest operating system" />
      </RadioGroup>
    </>
  );
}
