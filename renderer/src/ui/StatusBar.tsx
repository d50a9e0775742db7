import { Popover, PopoverSurface, PopoverTrigger, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Server16Regular, Warning16Filled, CheckmarkCircle16Regular } from '@fluentui/react-icons';
import { VM_STATES, type HostInfo, type VmState } from '../../../core/contract';
import { useConnection, useConsole } from '../state/app-stores';
import { useMemo } from 'react';
import { consoleStore } from '../state/app-stores';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: '0',
    height: '24px',
    paddingLeft: '8px',
    paddingRight: '8px',
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
    flexShrink: 0,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  },
  item: { display: 'inline-flex', alignItems: 'center', gap: '4px', paddingRight: '12px', marginRight: '12px', borderRight: `1px solid ${tokens.colorNeutralStroke2}`, minWidth: 0 },
  itemButton: {
    border: 'none',
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    background: 'none',
    font: 'inherit',
    color: 'inherit',
    cursor: 'pointer',
    paddingLeft: 0,
    height: '100%',
    ':hover': { textDecorationLine: 'underline' },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  popover: { maxWidth: '360px', fontSize: tokens.fontSizeBase200 },
  popoverText: { margin: '6px 0 0', lineHeight: tokens.lineHeightBase300 },
  last: { borderRight: 'none', marginLeft: 'auto', marginRight: 0, paddingRight: 0 },
  grow: { overflow: 'hidden', textOverflow: 'ellipsis' },
  warn: { color: tokens.colorPaletteDarkOrangeForeground1 },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  dot: { width: '8px', height: '8px', borderRadius: '50%' },
  up: { backgroundColor: tokens.colorPaletteGreenBackground3 },
  down: { backgroundColor: tokens.colorPaletteRedBackground3 },
  pending: { backgroundColor: tokens.colorPaletteYellowBackground3 },
});

const ACCEL_NAMES: Record<HostInfo['accelerator']['kind'], string> = {
  kvm: 'KVM',
  whpx: 'Windows Hypervisor Platform',
  hvf: 'Hypervisor.framework',
  tcg: 'Software emulation (TCG)',
};

// The settled states people scan for first, then the ones in flight.
const COUNT_ORDER: readonly VmState[] = ['Running', 'Paused', 'Saved', 'Off', 'Critical', ...VM_STATES.filter((s) => !['Running', 'Paused', 'Saved', 'Off', 'Critical'].includes(s))];

function useStateCounts(): string {
  const version = useConsole((s) => s.statesVersion);
  return useMemo(() => {
    const counts = new Map<VmState, number>();
    const vms = consoleStore.getState().vms;
    for (const vm of vms.values()) counts.set(vm.status.state, (counts.get(vm.status.state) ?? 0) + 1);
    const parts = [`${vms.size.toLocaleString('en')} ${vms.size === 1 ? 'virtual machine' : 'virtual machines'}`];
    for (const st of COUNT_ORDER) {
      const n = counts.get(st);
      if (n !== undefined) parts.push(`${n.toLocaleString('en')} ${st.toLowerCase()}`);
    }
    return parts.join(' · ');
    // The Map mutates in place; its version says when to count again.
  }, [version]);
}

/** Host, accelerator (with the TCG notice), VM counts and the engine connection. */
export function StatusBar() {
  const s = useStyles();
  const host = useConsole((st) => st.host);
  const status = useConnection((st) => st.status);
  const counts = useStateCounts();
  const accel = host?.accelerator;
  const accelNotice = accel === undefined ? '' : [accel.reason, accel.hint].filter(Boolean).join(' ');
  return (
    <footer className={s.root} data-testid="status-bar" aria-label="Status bar">
      <span className={s.item}>
        <Server16Regular aria-hidden="true" />
        {host?.hostname ?? '—'}
      </span>
      {accel !== undefined && (
        <Popover withArrow positioning="above-start">
          <PopoverTrigger disableButtonEnhancement>
            <button type="button" className={mergeClasses(s.item, s.itemButton, accel.kind === 'tcg' && s.warn)} data-testid="status-accelerator">
              {accel.kind === 'tcg' ? <Warning16Filled aria-hidden="true" /> : <CheckmarkCircle16Regular aria-hidden="true" className={s.ok} />}
              <span className={s.grow}>{accel.kind === 'tcg' ? `${ACCEL_NAMES.tcg} — VMs run slower` : ACCEL_NAMES[accel.kind]}</span>
            </button>
          </PopoverTrigger>
          <PopoverSurface className={s.popover} aria-label="Accelerator">
            <strong>{ACCEL_NAMES[accel.kind]}</strong>
            <p className={s.popoverText}>{accelNotice}</p>
          </PopoverSurface>
        </Popover>
      )}
      <span className={mergeClasses(s.item, s.grow)} data-testid="status-counts">
        {counts}
      </span>
      <span className={mergeClasses(s.item, s.last)} data-testid="status-connection">
        <span
          className={mergeClasses(s.dot, status.state === 'connected' ? s.up : status.state === 'lost' ? s.down : s.pending)}
          aria-hidden="true"
        />
        {status.state === 'connected' ? 'Connected' : status.state === 'lost' ? 'Disconnected' : 'Connecting…'}
      </span>
    </footer>
  );
}
