import { Button, Checkbox, Field, Input, Radio, RadioGroup, SpinButton } from '@fluentui/react-components';
import { Add16Regular, Delete16Regular } from '@fluentui/react-icons';
import type { NetworkAdapter, VmConfig } from '../../../core/contract';
import { usePageStyles } from '../wizards/page-styles';
import { fieldState } from '../wizards/new-vm/page-props';
import { NetworkPicker } from '../networks/NetworkPicker';
import { DeviceKindBadge } from '../disks/DevicesSummary';
import { spinValue } from '../wizards/new-vm/pages-name-memory';
import { newAdapterId, randomMac } from './settings-model';
import type { SettingsPageProps } from './settings-page-props';

export function adapterTitle(n: NetworkAdapter): string {
  return n.kind === 'legacy' ? 'Legacy Network Adapter' : 'Network Adapter';
}

export function NetworkAdapterPage({ adapterId, draft, set, errors, disabled, onRemoved }: SettingsPageProps & { adapterId: string; onRemoved: () => void }) {
  const p = usePageStyles();
  const n = draft.network.find((x) => x.id === adapterId);
  if (n === undefined) return null;
  const setN = (patch: Partial<NetworkAdapter>): void =>
    set((c) => ({ ...c, network: c.network.map((x) => (x.id === adapterId ? { ...x, ...patch } : x)) }));
  return (
    <>
      <p className={p.intro}>
        <DeviceKindBadge kind={n.kind === 'legacy' ? 'emulated' : 'synthetic'} />{' '}
        {n.kind === 'legacy'
          ? 'An emulated network card (Intel e1000; Hyper-V’s was a DEC 21140, whose QEMU model cannot boot from the network) that needs no extra drivers and can start the virtual machine from the network (PXE).'
          : 'A synthetic network adapter (virtio-net): the fastest, for guests with virtio drivers.'}
      </p>
      <div className={p.fields}>
        <Field label="Adapter type">
          <RadioGroup layout="horizontal" disabled={disabled} value={n.kind} onChange={(_, d) => setN({ kind: d.value === 'legacy' ? 'legacy' : 'synthetic' })}>
            <Radio value="synthetic" label="Network Adapter (synthetic)" />
            <Radio value="legacy" label="Legacy Network Adapter" />
          </RadioGroup>
        </Field>
        <Field label="Network" {...fieldState(errors['network'])}>
          <NetworkPicker disabled={disabled} value={n.network} onChange={(v) => setN({ network: v })} />
        </Field>
        <Field label="MAC address" {...fieldState(errors['mac'])}>
          <RadioGroup layout="horizontal" disabled={disabled} value={n.macMode} onChange={(_, d) => setN({ macMode: d.value === 'static' ? 'static' : 'dynamic' })}>
            <Radio value="dynamic" label="Dynamic" />
            <Radio value="static" label="Static" />
          </RadioGroup>
          <Input
            aria-label="MAC address"
            disabled={disabled || n.macMode === 'dynamic'}
            value={n.mac}
            onChange={(_, d) => setN({ mac: d.value.toLowerCase() })}
            style={{ width: 200, fontFamily: 'monospace' }}
          />
        </Field>
        <Checkbox
          disabled={disabled}
          label="Enable virtual LAN identification"
          checked={n.vlanId !== null}
          onChange={(_, d) => setN({ vlanId: d.checked === true ? 1 : null })}
        />
        {n.vlanId !== null && (
          <div className={p.indent}>
            <Field label="VLAN ID" hint="1 to 4094" {...fieldState(errors['vlan'])}>
              <SpinButton className={p.narrow} disabled={disabled} value={n.vlanId} onChange={(_, d) => setN({ vlanId: spinValue(d) ?? Number.NaN })} />
            </Field>
          </div>
        )}
        <div>
          <Button
            icon={<Delete16Regular />}
            disabled={disabled}
            onClick={() => {
              set((c) => ({ ...c, network: c.network.filter((x) => x.id !== adapterId) }));
              onRemoved();
            }}
          >
            Remove adapter
          </Button>
        </div>
      </div>
    </>
  );
}

export function AddHardwarePage({ set, disabled, onAdded }: SettingsPageProps & { onAdded: (page: string) => void }) {
  const p = usePageStyles();
  const add = (kind: NetworkAdapter['kind']): void => {
    const adapter: NetworkAdapter = { id: newAdapterId(), kind, network: null, macMode: 'dynamic', mac: randomMac(), vlanId: null };
    set((c) => ({ ...c, network: [...c.network, adapter] }));
    onAdded(`nic:${adapter.id}`);
  };
  return (
    <>
      <p className={p.intro}>Add a device to the virtual machine. Disks go on an IDE or the SCSI controller.</p>
      <div className={p.row}>
        <Button icon={<Add16Regular />} disabled={disabled} onClick={() => add('synthetic')}>
          Network Adapter
        </Button>
        <Button icon={<Add16Regular />} disabled={disabled} onClick={() => add('legacy')}>
          Legacy Network Adapter
        </Button>
      </div>
    </>
  );
}

export function ComPage({ port, draft, set, errors, disabled }: SettingsPageProps & { port: 1 | 2 }) {
  const p = usePageStyles();
  const entry = draft.com.find((c) => c.port === port);
  const pipe = entry?.pipe ?? null;
  const setPipe = (v: string | null): void =>
    set((c): VmConfig => ({ ...c, com: [...c.com.filter((x) => x.port !== port), { port, pipe: v }].sort((a, b) => a.port - b.port) }));
  return (
    <>
      <p className={p.intro}>Connect the virtual serial port to a named pipe (a socket on this host) to talk to the guest’s console.</p>
      <RadioGroup disabled={disabled} value={pipe === null ? 'none' : 'pipe'} onChange={(_, d) => setPipe(d.value === 'none' ? null : (pipe ?? ''))}>
        <Radio value="none" label="None" />
        <Radio value="pipe" label="Named pipe" />
      </RadioGroup>
      {pipe !== null && (
        <div className={p.indent}>
          <Field label="Pipe path" {...fieldState(errors['pipe'])}>
            <Input disabled={disabled} value={pipe} onChange={(_, d) => setPipe(d.value)} />
          </Field>
        </div>
      )}
    </>
  );
}
