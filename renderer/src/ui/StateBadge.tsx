import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { VmState } from '../../../core/contract';
import { TRANSIENT_STATES } from '../../../core/contract';

const useStyles = makeStyles({
  root: { display: 'inline-flex', alignItems: 'center', gap: '6px', minWidth: 0 },
  dot: { width: '8px', height: '8px', borderRadius: '50%', flexShrink: 0, boxSizing: 'border-box' },
  running: { backgroundColor: tokens.colorPaletteGreenBackground3 },
  off: { border: `1.5px solid ${tokens.colorNeutralForeground3}` },
  paused: { backgroundColor: tokens.colorPaletteYellowBackground3 },
  saved: { backgroundColor: tokens.colorPaletteBlueBorderActive },
  busy: { border: `2px solid ${tokens.colorBrandForeground1}`, animationName: { from: { opacity: 1 }, to: { opacity: 0.35 } }, animationDuration: '0.9s', animationIterationCount: 'infinite', animationDirection: 'alternate', '@media (prefers-reduced-motion: reduce)': { animationName: 'none' } },
  critical: { backgroundColor: tokens.colorPaletteRedBackground3 },
  text: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

export function stateTone(state: VmState): 'running' | 'off' | 'paused' | 'saved' | 'busy' | 'critical' {
  if (state === 'Running') return 'running';
  if (state === 'Paused') return 'paused';
  if (state === 'Saved') return 'saved';
  if (state === 'Critical') return 'critical';
  if (TRANSIENT_STATES.includes(state)) return 'busy';
  return 'off';
}

/** A small coloured dot plus the state's name: colour is never the only cue. */
export function StateBadge({ state, testId }: { state: VmState; testId?: string }) {
  const s = useStyles();
  return (
    <span className={s.root} data-testid={testId}>
      <span className={mergeClasses(s.dot, s[stateTone(state)])} aria-hidden="true" />
      <span className={s.text}>{state}</span>
    </span>
  );
}
