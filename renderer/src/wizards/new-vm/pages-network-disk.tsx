import { Checkbox, Dropdown, Field, Input, MessageBar, MessageBarBody, Option, Radio, RadioGroup } from '@fluentui/react-components';
import type { UserDiskFormat } from '../../../../core/contract';
import { usePageStyles } from '../page-styles';
import { diskFileName, type DiskMode } from './draft';
import { NetworkPicker } from '../../networks/NetworkPicker';
import { fieldState, type PageProps } from './page-props';

export function NetworkPage({ draft, update, errors }: PageProps) {
  const s = usePageStyles();
  return (
    <>
      <p className={s.intro}>
        Each virtual machine gets a network adapter. Choose the kind of adapter and the virtual network it is connected to, or leave
        it unconnected for now.
      </p>
      <div className={s.fields}>
        <Field label="Adapter">
          <RadioGroup
            value={draft.network.kind}
            onChange={(_, d) => update((x) => ({ ...x, network: { ...x.network, kind: d.value === 'legacy' ? 'legacy' : 'synthetic' } }))}
          >
            <Radio value="synthetic" label="Network Adapter (synthetic, fastest; needs virtio drivers in the guest)" />
            <Radio value="legacy" label="Legacy Network Adapter (emulated; works without drivers and can boot from the network)" />
          </RadioGroup>
        </Field>
        <Field label="Connection" {...fieldState(errors['network'])}>
          <NetworkPicker value={draft.network.network} onChange={(v) => update((x) => ({ ...x, network: { ...x.network, network: v } }))} />
        </Field>
      </div>
    </>
  );
}

const DISK_MODES: readonly DiskMode[] = ['new', 'existing', 'later'];

const FORMAT_LABELS: Record<UserDiskFormat, string> = {
  qcow2: 'qcow2 (recommended: snapshots, saved states, migration)',
  vhd: 'VHD (Hyper-V and Virtual PC compatible, up to 2040 GB)',
  vhdx: 'VHDX (Hyper-V compatible, up to 64 TB)',
};

export function DiskPage({ draft, update, errors, warning, host }: PageProps) {
  const s = usePageStyles();
  const d = draft.disk;
  const setDisk = (patch: Partial<typeof d>): void => update((x) => ({ ...x, disk: { ...x.disk, ...patch } }));
  return (
    <>
      <p className={s.intro}>
        A virtual machine needs storage to install an operating system on. Create a virtual hard disk now, use one you already have,
        or attach one later in Settings.
      </p>
      <RadioGroup
        value={d.mode}
        onChange={(_, v) => {
          if (DISK_MODES.includes(v.value as DiskMode)) setDisk({ mode: v.value as DiskMode });
        }}
      >
        <Radio value="new" label="Create a virtual hard disk" />
        {d.mode === 'new' && (
          <div className={s.indent}>
            <Checkbox
              label="Store the disk in a different location"
              checked={d.customLocation}
              onChange={(_, v) => setDisk({ customLocation: v.checked === true })}
            />
            {d.customLocation ? (
              <>
                <Field label="Name" {...fieldState(errors['fileName'])}>
                  <Input value={d.fileName} onChange={(_, v) => setDisk({ fileName: v.value, fileNameEdited: true })} />
                </Field>
                <Field label="Location" hint="A folder on this host, inside its storage roots." {...fieldState(errors['location'])}>
                  <Input value={d.location} onChange={(_, v) => setDisk({ location: v.value })} placeholder={host?.storageRoots[0] ?? ''} />
                </Field>
              </>
            ) : (
              <p className={s.note}>The disk is created in the virtual machine’s folder and deleted with it.</p>
            )}
            <div className={s.row}>
              <Field label="Size" hint="For example 127 GB or 512 MB." {...fieldState(errors['size'])}>
                <Input value={d.size} onChange={(_, v) => setDisk({ size: v.value })} style={{ width: 140 }} />
              </Field>
              <Field label="Format" className={s.grow}>
                <Dropdown
                  value={FORMAT_LABELS[d.format]}
                  selectedOptions={[d.format]}
                  onOptionSelect={(_, v) => {
                    const format = (v.optionValue ?? 'qcow2') as UserDiskFormat;
                    setDisk({ format, ...(d.fileNameEdited ? {} : { fileName: diskFileName(draft.name, format) }) });
                  }}
                >
                  {(Object.keys(FORMAT_LABELS) as UserDiskFormat[]).map((f) => (
                    <Option key={f} value={f} text={FORMAT_LABELS[f]}>
                      {FORMAT_LABELS[f]}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            </div>
            <Field label="Type">
              <RadioGroup
                layout="horizontal"
                value={d.type}
                onChange={(e, v) => {
                  e.stopPropagation(); // nested in the mode group: its change must not reach it
                  setDisk({ type: v.value === 'fixed' ? 'fixed' : 'dynamic' });
                }}
              >
                <Radio value="dynamic" label="Dynamically expanding" />
                <Radio value="fixed" label="Fixed size" />
              </RadioGroup>
            </Field>
            {warning !== undefined && (
              <MessageBar intent="info" layout="multiline">
                <MessageBarBody>{warning}</MessageBarBody>
              </MessageBar>
            )}
          </div>
        )}
        <Radio value="existing" label="Use an existing virtual hard disk" />
        {d.mode === 'existing' && (
          <div className={s.indent}>
            <Field label="Path" hint="A .qcow2, .vhd or .vhdx file on this host." {...fieldState(errors['existingPath'])}>
              <Input value={d.existingPath} onChange={(_, v) => setDisk({ existingPath: v.value })} placeholder={host?.storageRoots[0] !== undefined ? `${host.storageRoots[0]}/disk.qcow2` : ''} />
            </Field>
          </div>
        )}
        <Radio value="later" label="Attach a virtual hard disk later" />
      </RadioGroup>
    </>
  );
}
