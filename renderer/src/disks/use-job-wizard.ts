import { useState } from 'react';
import { toErrorInfo, type ErrorInfo, type Job } from '../../../core/contract';
import { useConsole } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';

/**
 * A wizard whose Finish starts one engine job and then shows its progress on
 * the last page (New and Edit Virtual Hard Disk): the job as the console store
 * follows it, the start error, and the WizardFrame props that depend on them.
 */
export function useJobWizard(pageCount: number, initialPage = 0) {
  const [page, setPage] = useState(initialPage);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [starting, setStarting] = useState(false);
  const liveJob = useConsole((st) => (job ? (st.jobs.get(job.id) ?? job) : null));
  const running = liveJob?.state === 'running';
  const showProgress = liveJob !== null;

  const launch = async (start: () => Promise<Job>): Promise<void> => {
    setStarting(true);
    setError(null);
    try {
      setJob(await start());
    } catch (err) {
      setError(toErrorInfo(err));
    } finally {
      setStarting(false);
    }
  };

  return {
    page,
    setPage,
    setError,
    liveJob,
    showProgress,
    launch,
    /** For WizardFrame: the last page while the job shows, no stepping back, Close once it runs. */
    frame: {
      current: showProgress ? pageCount - 1 : page,
      onStep: (i: number) => !showProgress && setPage(i),
      busy: starting || running,
      busyLabel: starting ? 'Starting…' : 'Working…',
      error,
      onCancel: closeDialog,
      cancelLabel: showProgress ? 'Close' : 'Cancel',
    },
  };
}
