import { useState } from 'react';
import { Button, Field, ProgressBar, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { CheckmarkCircle16Filled, Circle16Regular, DismissCircle16Filled, ArrowCircleRight16Filled } from '@fluentui/react-icons';
import { toErrorInfo, type ErrorInfo, type Job, type VmState } from '../../../core/contract';
import type { MigrationMode, MigrationResult, StorageHandling } from '../../../core/contract/protocol-migration';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { useHosts } from '../hosts/hosts-store';
import { useConsole } from '../state/app-stores';
import { bytesText, currentPhase, msText, notConverged, phasesFor } from './migrate-model';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '580px' },
  phases: { margin: 0, padding: 0, listStyleType: 'none', display: 'flex', flexDirection: 'column', gap: '6px' },
  phase: { display: 'flex', alignItems: 'center', gap: '8px', color: tokens.colorNeutralForeground3 },
  active: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  done: { color: tokens.colorNeutralForeground1 },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  now: { color: tokens.colorBrandForeground1 },
  ms: { marginLeft: 'auto', fontVariantNumeric: 'tabular-nums', color: tokens.colorNeutralForeground3 },
  result: { borderCollapse: 'collapse', '& th': { textAlign: 'start', fontWeight: tokens.fontWeightRegular, color: tokens.colorNeutralForeground3, padding: '2px 16px 2px 0' }, '& td': { padding: '2px 0', fontVariantNumeric: 'tabular-nums' } },
  steps: { margin: 0, paddingLeft: '18px', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  row: { display: 'flex', gap: '8px', alignItems: 'center' },
});

/** The migration job as it runs (phases, progress), then its result or its error. */
export function MigrationProgress({
  initial,
  hostId,
  mode,
  storage,
  state,
  onQuick,
  starting,
}: {
  initial: Job;
  hostId: string | null;
  mode: MigrationMode;
  storage: StorageHandling;
  state: VmState;
  onQuick: () => void;
  starting: boolean;
}) {
  const s = useStyles();
  const engine = useEngine();
  const local = useConsole((st) => (hostId === null ? st.jobs.get(initial.id) : undefined));
  const remote = useHosts((st) => (hostId === null ? undefined : st.jobs.get(initial.id)));
  const job = local ?? remote ?? initial;
  const [cancelError, setCancelError] = useState<ErrorInfo | null>(null);
  const phases = phasesFor(mode, storage, state);
  const result = job.state === 'completed' ? (job.result as MigrationResult | undefined) : undefined;
  const now = currentPhase(job);
  const nowIndex = phases.findIndex((p) => p.name === now);
  const timing = new Map(result?.phases.map((p) => [p.name, p.ms] as const) ?? []);

  const cancel = (): void => {
    const call = hostId === null ? engine.call('job.cancel', { id: job.id }) : engine.call('hosts.call', { host: hostId, method: 'job.cancel', params: { id: job.id } });
    call.catch((err: unknown) => setCancelError(toErrorInfo(err)));
  };

  return (
    <div className={s.root} data-testid="migration-progress" data-state={job.state}>
      <ol className={s.phases} aria-label="Phases">
        {phases.map((p, i) => {
          const finished = job.state === 'completed' || (nowIndex >= 0 && i < nowIndex);
          const active = job.state === 'running' && i === nowIndex;
          const failedHere = job.state !== 'running' && job.state !== 'completed' && i === Math.max(0, nowIndex);
          return (
            <li key={p.name} className={mergeClasses(s.phase, active && s.active, finished && s.done)} data-testid="migration-phase" data-phase={p.name} data-status={finished ? 'done' : active ? 'active' : failedHere ? 'failed' : 'pending'}>
              {finished ? <CheckmarkCircle16Filled className={s.ok} /> : active ? <ArrowCircleRight16Filled className={s.now} /> : failedHere ? <DismissCircle16Filled className={s.bad} /> : <Circle16Regular />}
              <span>{p.label}</span>
              {timing.has(p.name) && <span className={s.ms}>{msText(timing.get(p.name) ?? 0)}</span>}
            </li>
          );
        })}
      </ol>
      {job.state === 'running' && (
        <Field label={job.phase} validationState="none">
          <ProgressBar {...(job.percent === null ? {} : { value: job.percent / 100 })} thickness="large" aria-label={`Migration: ${job.percent === null ? job.phase : `${Math.round(job.percent)}%`}`} />
        </Field>
      )}
      {job.state === 'running' && job.cancellable && (
        <div className={s.row}>
          <Button onClick={cancel}>Cancel migration</Button>
          <span className={s.steps}>The VM stays on its host if you cancel before the hand-over.</span>
        </div>
      )}
      {result && (
        <div data-testid="migration-result">
          <table className={s.result}>
            <tbody>
              <tr>
                <th>Result</th>
                <td>
                  Moved to {result.to}; now {result.finalState} there.
                </td>
              </tr>
              <tr>
                <th>Downtime</th>
                <td data-testid="migration-downtime">
                  {result.downtimeMs === null ? 'none (the VM was not running)' : msText(result.downtimeMs)}
                  {result.qemuDowntimeMs !== null ? ` (QEMU reports ${msText(result.qemuDowntimeMs)})` : ''}
                </td>
              </tr>
              <tr>
                <th>Data moved</th>
                <td data-testid="migration-bytes">{bytesText(result.bytesMoved)}</td>
              </tr>
              <tr>
                <th>Total time</th>
                <td>{msText(result.totalMs)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      <DialogError error={job.state === 'failed' || job.state === 'cancelled' ? job.error : cancelError} />
      {notConverged(job.error) && (
        <div className={s.row}>
          <Button appearance="primary" disabled={starting} onClick={onQuick} data-testid="use-quick">
            Use Quick Migration instead
          </Button>
        </div>
      )}
      {job.steps.length > 1 && (
        <details>
          <summary className={s.steps}>Steps</summary>
          <ol className={s.steps}>
            {job.steps.slice(1).map((st, i) => (
              <li key={`${st.at}-${i}`}>{st.text}</li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}
