import { makeStyles, tokens, MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { VmSummary } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { VmThumbnail } from '../vm-connection/VmThumbnail';
import { useSelectedVms } from '../state/use-selection';
import { formatCpu, formatMiB, formatUptime, reasonText, statusText } from './format';
import { PaneHeader } from './PaneHeader';
import { StateBadge } from './StateBadge';
import { DevicesSummary, LiveConvertButton } from '../disks/DevicesSummary';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, height: '100%' },
  body: {
    flexGrow: 1,
    display: 'flex',
    gap: '16px',
    padding: '12px',
    overflow: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
    fontSize: tokens.fontSizeBase200,
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr) max-content minmax(0, 1fr)',
    columnGap: '16px',
    rowGap: '4px',
    alignContent: 'start',
    margin: 0,
    minWidth: 0,
    flexGrow: 1,
  },
  key: { color: tokens.colorNeutralForeground3, whiteSpace: 'nowrap' },
  value: { margin: 0, minWidth: 0, overflowWrap: 'anywhere', color: tokens.colorNeutralForeground1 },
  wide: { gridColumn: '2 / 5' },
  wideKey: { gridColumnStart: 1 },
  notes: { whiteSpace: 'pre-wrap' },
  empty: { color: tokens.colorNeutralForeground3 },
  col: { display: 'flex', flexDirection: 'column', gap: '8px', minWidth: 0, flexGrow: 1 },
});

function Fact({ label, children, wide = false }: { label: string; children: React.ReactNode; wide?: boolean }) {
  const s = useStyles();
  return (
    <>
      <dt className={wide ? `${s.key} ${s.wideKey}` : s.key}>{label}</dt>
      <dd className={wide ? `${s.value} ${s.wide}` : s.value}>{children}</dd>
    </>
  );
}

function VmFacts({ vm }: { vm: VmSummary }) {
  const s = useStyles();
  const job = useConsole((st) => st.jobByVm.get(vm.id));
  const status = statusText(vm, job);
  const stats = vm.stats;
  const engine = useEngine();
  return (
    <div className={s.body}>
      <VmThumbnail engine={engine} vm={vm} />
      <div className={s.col}>
        <dl className={s.facts}>
          <Fact label="State" wide>
            <StateBadge state={vm.status.state} />
            {reasonText(vm) !== '' && <span className={s.empty}> — {reasonText(vm)}</span>}
          </Fact>
          {status !== '' && vm.status.state !== 'Critical' && (
            <Fact label="Status" wide>
              {status}
            </Fact>
          )}
          <Fact label="Uptime">{stats !== null ? formatUptime(stats.uptimeSec) : '—'}</Fact>
          <Fact label="CPU usage">{stats !== null ? formatCpu(stats.cpuPercent) : '—'}</Fact>
          <Fact label="Memory">
            {stats !== null ? `${formatMiB(stats.memoryMiB)} assigned of ${formatMiB(vm.memoryMiB)}` : `${formatMiB(vm.memoryMiB)} configured`}
          </Fact>
          <Fact label="Processors">{vm.cpus === 1 ? '1 virtual processor' : `${vm.cpus} virtual processors`}</Fact>
          <Fact label="Saved state">{vm.hasSavedState ? 'Yes' : 'No'}</Fact>
          <Fact label="Notes" wide>{vm.notes === '' ? <span className={s.empty}>None</span> : <span className={s.notes}>{vm.notes}</span>}</Fact>
        </dl>
        {vm.migrationBlocker !== null && (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>Save, snapshot and migration are unavailable: {vm.migrationBlocker}</MessageBarBody>
          </MessageBar>
        )}
        <LiveConvertButton vm={vm} />
        <DevicesSummary vm={vm} />
      </div>
    </div>
  );
}

/** Summary of the selected VM below the list: thumbnail slot, state and reason, numbers, notes. */
export function DetailsPane() {
  const s = useStyles();
  const vms = useSelectedVms();
  const only = vms.length === 1 ? vms[0] : undefined;
  const counts = new Map<string, number>();
  for (const vm of vms) counts.set(vm.status.state, (counts.get(vm.status.state) ?? 0) + 1);
  return (
    <section className={s.root} aria-labelledby="details-title" data-testid="details-pane">
      <PaneHeader title={only?.name ?? 'Details'} id="details-title" />
      {only !== undefined ? (
        <VmFacts vm={only} />
      ) : (
        <div className={`${s.body} ${s.empty}`}>
          {vms.length === 0
            ? 'No virtual machine selected.'
            : `${vms.length} virtual machines selected: ${[...counts].map(([st, n]) => `${n} ${st}`).join(', ')}.`}
        </div>
      )}
    </section>
  );
}
