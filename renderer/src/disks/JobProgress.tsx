import { useState } from 'react';
import { Button, Field, ProgressBar, makeStyles, tokens } from '@fluentui/react-components';
import { CheckmarkCircle20Filled, Dismiss16Regular } from '@fluentui/react-icons';
import { toErrorInfo, type ErrorInfo, type Job } from '../../../core/contract';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '10px', maxWidth: '560px' },
  row: { display: 'flex', alignItems: 'center', gap: '10px' },
  cli: {
    margin: 0,
    padding: '8px 10px',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
    whiteSpace: 'pre-wrap',
  },
  done: { color: tokens.colorPaletteGreenForeground1 },
  steps: { margin: 0, paddingLeft: '18px', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

/**
 * A disk job as it runs: progress, phase, Cancel where the engine allows it,
 * and the equivalent command (SCVMM's "View Script"). Follows job.upsert events
 * through the console store; `initial` covers the time before the first one.
 */
export function JobProgress({ initial }: { initial: Job }) {
  const s = useStyles();
  const engine = useEngine();
  const live = useConsole((st) => st.jobs.get(initial.id));
  const job = live ?? initial;
  const [cancelError, setCancelError] = useState<ErrorInfo | null>(null);
  const running = job.state === 'running';
  return (
    <div className={s.root} data-testid="job-progress" data-state={job.state}>
      <Field label={job.label} validationState="none" hint={job.phase}>
        <ProgressBar
          {...(job.state === 'completed' ? { value: 1 } : job.percent === null ? {} : { value: job.percent / 100 })}
          thickness="large"
          color={job.state === 'failed' ? 'error' : job.state === 'completed' ? 'success' : 'brand'}
          aria-label={`${job.label}: ${job.percent === null ? job.phase : `${Math.round(job.percent)}%`}`}
        />
      </Field>
      <div className={s.row}>
        {running && job.cancellable && (
          <Button
            icon={<Dismiss16Regular />}
            onClick={() => {
              engine.call('job.cancel', { id: job.id }).catch((err: unknown) => setCancelError(toErrorInfo(err)));
            }}
          >
            Cancel operation
          </Button>
        )}
        {running && !job.cancellable && <span>This step cannot be cancelled safely; it finishes on its own.</span>}
        {job.state === 'completed' && (
          <span className={s.done}>
            <CheckmarkCircle20Filled aria-hidden="true" style={{ verticalAlign: 'middle' }} /> Completed
          </span>
        )}
        {job.state === 'cancelled' && <span>Cancelled. Nothing was changed: the work was done in a temporary file, which was removed.</span>}
      </div>
      <DialogError error={job.state === 'failed' ? job.error : cancelError} />
      <div>
        <div style={{ fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 }}>Equivalent command</div>
        <pre className={s.cli} data-testid="job-cli">
          {job.cli}
        </pre>
      </div>
      {job.steps.length > 1 && (
        <ol className={s.steps} aria-label="Steps">
          {job.steps.slice(1).map((st, i) => (
            <li key={`${st.at}-${i}`}>{st.text}</li>
          ))}
        </ol>
      )}
    </div>
  );
}
