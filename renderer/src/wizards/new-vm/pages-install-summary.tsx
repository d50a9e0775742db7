import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
} from '@fluentui/react-components';
import { formatBytes } from '../../../../core/contract';
import { formatMiB } from '../../ui/format';
import { usePageStyles } from '../page-styles';
import { joinPath, type InstallMode, type NewVmDraft } from './draft';
import { fieldState, type PageProps } from './page-props';

const INSTALL_MODES: readonly InstallMode[] = ['later', 'iso', 'floppy', 'net'];

const OS_LABELS: Record<NewVmDraft['install']['guestOs'], string> = { linux: 'Linux', windows: 'Windows', other: 'Other' };

export function InstallPage({ draft, update, errors, warning, host }: PageProps) {
  const s = usePageStyles();
  const i = draft.install;
  const setInstall = (patch: Partial<typeof i>): void => update((x) => ({ ...x, install: { ...x.install, ...patch } }));
  const root = host?.storageRoots[0];
  return (
    <>
      <p className={s.intro}>Choose how to install an operating system. You can also install it later from the virtual machine’s settings.</p>
      <RadioGroup
        value={i.mode}
        onChange={(_, v) => {
          if (INSTALL_MODES.includes(v.value as InstallMode)) setInstall({ mode: v.value as InstallMode });
        }}
      >
        <Radio value="later" label="Install an operating system later" />
        <Radio value="iso" label="Install from a bootable CD/DVD image (.iso)" />
        {i.mode === 'iso' && (
          <div className={s.indent}>
            <Field label="Image file" {...fieldState(errors['iso'])}>
              <Input value={i.iso} onChange={(_, v) => setInstall({ iso: v.value })} placeholder={root !== undefined ? `${root}/install.iso` : ''} />
            </Field>
          </div>
        )}
        <Radio value="floppy" label="Install from a bootable floppy disk image (.vfd)" />
        {i.mode === 'floppy' && (
          <div className={s.indent}>
            <Field label="Image file" {...fieldState(errors['floppy'])}>
              <Input value={i.floppy} onChange={(_, v) => setInstall({ floppy: v.value })} placeholder={root !== undefined ? `${root}/boot.vfd` : ''} />
            </Field>
          </div>
        )}
        <Radio value="net" label="Install from a network-based installation server (PXE)" />
      </RadioGroup>
      {warning !== undefined && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{warning}</MessageBarBody>
        </MessageBar>
      )}
      <div className={s.fields}>
        <Field label="Guest operating system" hint="Windows guests get Hyper-V enlightenments where the host accelerates them.">
          <Dropdown
            value={OS_LABELS[i.guestOs]}
            selectedOptions={[i.guestOs]}
            onOptionSelect={(_, v) => setInstall({ guestOs: (v.optionValue ?? 'other') as typeof i.guestOs })}
            style={{ minWidth: 160, width: 160 }}
          >
            {(Object.keys(OS_LABELS) as (keyof typeof OS_LABELS)[]).map((k) => (
              <Option key={k} value={k}>
                {OS_LABELS[k]}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <Accordion collapsible defaultOpenItems={i.kernel !== '' ? ['kernel'] : []}>
        <AccordionItem value="kernel">
          <AccordionHeader size="small">Kernel boot (advanced)</AccordionHeader>
          <AccordionPanel>
            <div className={s.fields}>
              <p className={s.note}>
                For appliances and headless images: start a Linux kernel directly instead of booting from a disk or CD.
              </p>
              <Field label="Kernel" {...fieldState(errors['kernel'])}>
                <Input value={i.kernel} onChange={(_, v) => setInstall({ kernel: v.value })} placeholder={root !== undefined ? `${root}/vmlinuz` : ''} />
              </Field>
              <Field label="Initial RAM disk (optional)">
                <Input value={i.initrd} onChange={(_, v) => setInstall({ initrd: v.value })} placeholder={root !== undefined ? `${root}/initrd.img` : ''} />
              </Field>
              <Field label="Kernel command line (optional)">
                <Input value={i.append} onChange={(_, v) => setInstall({ append: v.value })} placeholder="console=ttyS0" />
              </Field>
            </div>
          </AccordionPanel>
        </AccordionItem>
      </Accordion>
    </>
  );
}

function describeDisk(d: NewVmDraft, sizeBytes: number | null): string {
  if (d.disk.mode === 'later') return 'None (attach one later)';
  if (d.disk.mode === 'existing') return d.disk.existingPath || '—';
  const size = sizeBytes === null ? d.disk.size : formatBytes(sizeBytes);
  const where = d.disk.customLocation ? joinPath(d.disk.location, d.disk.fileName) : 'in the virtual machine’s folder';
  return `New ${d.disk.type === 'fixed' ? 'fixed-size' : 'dynamically expanding'} ${d.disk.format.toUpperCase()} disk, ${size}, ${where}`;
}

function describeInstall(d: NewVmDraft): string {
  switch (d.install.mode) {
    case 'later':
      return 'Later';
    case 'iso':
      return `From CD/DVD image ${d.install.iso}`;
    case 'floppy':
      return `From floppy image ${d.install.floppy}`;
    case 'net':
      return 'From the network (PXE)';
  }
}

export function SummaryPage({ draft, update, sizeBytes }: PageProps & { sizeBytes: number | null }) {
  const s = usePageStyles();
  const rows: [string, string][] = [
    ['Name', draft.name],
    ['Memory', draft.memoryMiB === null ? '—' : formatMiB(draft.memoryMiB)],
    ['Virtual processors', String(draft.cpus ?? '—')],
    [
      'Network',
      `${draft.network.kind === 'legacy' ? 'Legacy Network Adapter' : 'Network Adapter'}, ${draft.network.network ?? 'not connected'}`,
    ],
    ['Hard disk', describeDisk(draft, sizeBytes)],
    ['Operating system', describeInstall(draft)],
  ];
  if (draft.install.kernel.trim() !== '') rows.push(['Kernel boot', [draft.install.kernel, draft.install.initrd, draft.install.append].filter(Boolean).join(' · ')]);
  return (
    <>
      <p className={s.intro}>You have successfully completed the wizard. The virtual machine will be created with these settings:</p>
      <dl className={s.summary} data-testid="wizard-summary">
        {rows.map(([k, v]) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt className={s.key}>{k}</dt>
            <dd className={s.value}>{v}</dd>
          </div>
        ))}
      </dl>
      <Checkbox
        label="Start the virtual machine after it is created"
        checked={draft.start}
        onChange={(_, v) => update((x) => ({ ...x, start: v.checked === true }))}
      />
      <p className={s.note}>To create the virtual machine and close the wizard, click Finish.</p>
    </>
  );
}
