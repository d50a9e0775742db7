import { useCallback, useEffect, useRef, useState } from 'react';
import { Field, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { toErrorInfo, type ErrorInfo, type Job, type MethodName, type VmState, type VmSummary } from '../../../core/contract';
import type { FitCheck, FitProblem, RemoteHost } from '../../../core/contract/protocol-migration';
import { useEngine } from '../engine/engine-context';
import { hostLabel, useHosts } from '../hosts/hosts-store';
import { useConsole } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';
import { WizardFrame } from '../wizards/WizardFrame';
import { MigrationProgress } from './MigrationProgress';
import { MIGRATE_STEPS, bytesText, cliFor, initialDraft, liveAllowed, type MigrateDraft } from './migrate-model';

const useStyles = makeStyles({
  text: { margin: 0, color: tokens.colorNeutralForeground2, maxWidth: '560px' },
  problems: { margin: 0, padding: 0, listStyleType: 'none', display: 'flex', flexDirection: 'column', gap: '8px' },
  summary: { borderCollapse: 'collapse', fontSize: tokens.fontSizeBase300, '& th': { textAlign: 'start', fontWeight: tokens.fontWeightRegular, color: tokens.colorNeutralForeground3, padding: '3px 16px 3px 0', verticalAlign: 'top' }, '& td': { padding: '3px 0' } },
  cli: { margin: 0, padding: '8px 10px', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, backgroundColor: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusMedium, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' },
  hint: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

/** A server the VM can move to: a remembered one, or this console's own host. */
interface TargetEntry {
  key: string;
  label: string;
  address: string;
  /** Only for this console's own host (not remembered by the VM's host). */
  token?: string;
  connected: boolean;
  connection: string;
}

function remoteEntry(h: RemoteHost): TargetEntry {
  return { key: h.id, label: hostLabel(h), address: h.address, connected: h.connection === 'connected', connection: h.connection };
}

/** Calls on the VM's own host: this engine, or a remote one through the relay. */
function useSourceCall(hostId: string | null) {
  const engine = useEngine();
  return useCallback(
    <M extends 'migration.check' | 'migration.start' | 'job.cancel'>(method: M, params: Record<string, unknown>): Promise<unknown> =>
      hostId === null ? engine.call(method as MethodName, params as never) : engine.call('hosts.call', { host: hostId, method, params }),
    [engine, hostId],
  );
}

function ProblemList({ problems }: { problems: readonly FitProblem[] }) {
  const s = useStyles();
  return (
    <ul className={s.problems} data-testid="fit-problems">
      {problems.map((p, i) => (
        <li key={`${p.check}-${i}`}>
          <MessageBar intent={p.severity === 'error' ? 'error' : 'warning'} layout="multiline" data-testid="fit-problem" data-check={p.check}>
            <MessageBarBody>
              <MessageBarTitle>{p.message}</MessageBarTitle>
              Fix: {p.fix}
            </MessageBarBody>
          </MessageBar>
        </li>
      ))}
    </ul>
  );
}

function FitView({ fit, checking, error }: { fit: FitCheck | null; checking: boolean; error: ErrorInfo | null }) {
  if (checking) return <Spinner size="tiny" label="Checking whether the target can run this VM…" labelPosition="after" />;
  if (error) {
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The check did not run: {error.message}</MessageBarTitle>
          {error.hint}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (!fit) return null;
  const t = fit.target;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }} data-testid="fit-check" data-ok={fit.ok}>
      {fit.ok && t && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t.hostname} can run this VM.</MessageBarTitle>
            {t.freeMemoryMiB.toLocaleString('en')} MB memory available, {bytesText(t.freeDiskBytes)} free disk, {t.accelerator.toUpperCase()}, QEMU {t.qemuVersion ?? '?'}.
          </MessageBarBody>
        </MessageBar>
      )}
      {fit.problems.length > 0 && <ProblemList problems={fit.problems} />}
    </div>
  );
}

/**
 * Migrate…: target host (with the fit check and its fixes), storage handling,
 * live or quick, summary, then the job's phases and its result (downtime,
 * bytes moved). The VM may live on this host or on a remote one.
 */
export function MigrateWizard({ vmId, hostId }: { vmId: string; hostId: string | null }) {
  const s = useStyles();
  const call = useSourceCall(hostId);
  const localVm = useConsole((st) => (hostId === null ? st.vms.get(vmId) : undefined));
  const remoteVm = useHosts((st) => (hostId === null ? undefined : st.hosts.get(hostId)?.vms.find((v) => v.id === vmId)));
  const hostsMap = useHosts((st) => st.hosts);
  const [frozenVm, setFrozenVm] = useState<VmSummary | undefined>(undefined);
  const vm = localVm ?? remoteVm ?? frozenVm;
  const [draft, setDraft] = useState<MigrateDraft>(initialDraft);
  const [step, setStep] = useState(0);
  const [fit, setFit] = useState<FitCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<ErrorInfo | null>(null);
  const [startError, setStartError] = useState<ErrorInfo | null>(null);
  const [starting, setStarting] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const [startState, setStartState] = useState<VmState | null>(null);
  const checkSeq = useRef(0);

  // The VM leaves this host's list when the move succeeds: keep showing what we knew.
  useEffect(() => {
    if (localVm ?? remoteVm) setFrozenVm(localVm ?? remoteVm);
  }, [localVm, remoteVm]);

  const localHost = useConsole((st) => st.host);
  const engine = useEngine();
  const targets: TargetEntry[] = [...hostsMap.values()].filter((h) => h.id !== hostId).map(remoteEntry);
  // A VM on another server can come here when this console is a listening host (the browser knows its address and token).
  const selfToken = hostId !== null && engine.shell === 'browser' ? sessionStorage.getItem('viridian.token') : null;
  if (selfToken !== null) targets.unshift({ key: 'local', label: `This server: ${localHost?.hostname ?? 'local'} (${location.host})`, address: location.host, token: selfToken, connected: true, connection: 'connected' });
  const target = targets.find((t) => t.key === draft.targetId);

  // Re-run the fit check whenever the choice changes (until the move starts).
  useEffect(() => {
    if (!vm || !target || job !== null) return;
    const seq = ++checkSeq.current;
    setChecking(true);
    setCheckError(null);
    call('migration.check', { vm: vm.id, to: target.address, ...(target.token ? { token: target.token } : {}), mode: draft.mode, storage: draft.storage }).then(
      (r) => {
        if (seq !== checkSeq.current) return;
        setFit(r as FitCheck);
        setChecking(false);
      },
      (err: unknown) => {
        if (seq !== checkSeq.current) return;
        setFit(null);
        setCheckError(toErrorInfo(err));
        setChecking(false);
      },
    );
  }, [vm?.id, target?.key, target?.address, target?.token, draft.mode, draft.storage, call, job]);

  if (!vm) return null;
  const canLive = liveAllowed(vm.status.state);
  const progressIndex = MIGRATE_STEPS.length - 1;
  const onProgress = step === progressIndex;
  const chosen = target !== undefined;
  const ready = chosen && fit !== null && fit.ok && !checking;

  const start = async (mode: MigrateDraft['mode'] = draft.mode): Promise<void> => {
    if (!target) return;
    setStarting(true);
    setStartError(null);
    try {
      const j = (await call('migration.start', { vm: vm.id, to: target.address, ...(target.token ? { token: target.token } : {}), mode, storage: draft.storage })) as Job;
      setDraft((d) => ({ ...d, mode }));
      setStartState(vm.status.state);
      setJob(j);
      setStep(progressIndex);
    } catch (err) {
      setStartError(toErrorInfo(err));
    } finally {
      setStarting(false);
    }
  };

  // Progress joins the step list once the move has started, so Finish is the summary's primary button.
  const steps = MIGRATE_STEPS.slice(0, job === null ? progressIndex : progressIndex + 1).map((st, i) => ({ id: st.id, title: st.title, invalid: i === 0 && chosen && fit !== null && !fit.ok }));
  const sourceName = hostId === null ? 'this host' : (hostsMap.get(hostId)?.info?.hostname ?? 'its host');

  return (
    <WizardFrame
      title={`Migrate “${vm.name}”`}
      testId="migrate-wizard"
      steps={steps}
      current={step}
      onStep={(i) => {
        // The progress page comes only from Finish; once the move started, the other pages are history.
        if (job !== null || i === progressIndex) return;
        setStep(i);
      }}
      canNext={!onProgress && step < progressIndex - 1 && (step > 0 || chosen)}
      canFinish={!onProgress && ready}
      busy={starting}
      busyLabel="Starting the migration…"
      error={onProgress ? null : startError}
      onFinish={() => void start()}
      onCancel={closeDialog}
      {...(job !== null ? { cancelLabel: 'Close' } : {})}
    >
      {step === 0 && (
        <>
          <p className={s.text}>
            Choose the server to move “{vm.name}” to. It is checked for memory, disk space, processor, QEMU, the virtual networks the VM uses and the storage
            it must see; problems come with a fix.
          </p>
          {targets.length === 0 ? (
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>No other server is connected.</MessageBarTitle>
                Add one with Connect to Server… (Action menu), then come back.
              </MessageBarBody>
            </MessageBar>
          ) : (
            <Field label="Target host">
              <RadioGroup value={draft.targetId ?? ''} onChange={(_, d) => setDraft((x) => ({ ...x, targetId: d.value }))} data-testid="migrate-targets">
                {targets.map((t) => (
                  <Radio key={t.key} value={t.key} disabled={!t.connected} label={`${t.label}${t.connected ? '' : ` — ${t.connection}`}`} />
                ))}
              </RadioGroup>
            </Field>
          )}
          {chosen && <FitView fit={fit} checking={checking} error={checkError} />}
        </>
      )}
      {step === 1 && (
        <>
          <p className={s.text}>Where the VM’s disks are after the move.</p>
          <RadioGroup value={draft.storage} onChange={(_, d) => setDraft((x) => ({ ...x, storage: d.value === 'copy' ? 'copy' : 'shared' }))} data-testid="migrate-storage">
            <Radio value="shared" label="Shared storage: both hosts see the disks at the same paths (nothing is copied)" />
            <Radio value="copy" label={`Copy the disks to the target${fit && draft.storage === 'copy' ? ` (${bytesText(fit.bytesToCopy)})` : ''}`} />
          </RadioGroup>
          {chosen && <FitView fit={fit} checking={checking} error={checkError} />}
        </>
      )}
      {step === 2 && (
        <>
          <RadioGroup value={draft.mode} onChange={(_, d) => setDraft((x) => ({ ...x, mode: d.value === 'live' ? 'live' : 'quick' }))} data-testid="migrate-mode">
            <Radio value="quick" label="Quick Migration: save, transfer, restore (the guest pauses for the whole move)" />
            <Radio value="live" disabled={!canLive} label={`Live migration: memory is copied while the guest runs; it pauses only for the last part${canLive ? '' : ` (only for a running VM; this one is ${vm.status.state})`}`} />
          </RadioGroup>
          <Text className={s.hint}>
            {draft.mode === 'live'
              ? 'A guest that changes its memory faster than the link can carry it does not converge; the move then stops, the VM keeps running here, and Quick Migration is offered.'
              : 'The pause lasts about the guest’s memory divided by the disk and network speed.'}
          </Text>
          {chosen && <FitView fit={fit} checking={checking} error={checkError} />}
        </>
      )}
      {step === 3 && target && (
        <>
          <table className={s.summary} data-testid="migrate-summary">
            <tbody>
              <tr>
                <th>Virtual machine</th>
                <td>
                  {vm.name} ({vm.status.state}, {vm.memoryMiB} MB)
                </td>
              </tr>
              <tr>
                <th>From</th>
                <td>{sourceName}</td>
              </tr>
              <tr>
                <th>To</th>
                <td>{target.label}</td>
              </tr>
              <tr>
                <th>Storage</th>
                <td>{draft.storage === 'copy' ? `Copy the disks${fit ? ` (${bytesText(fit.bytesToCopy)})` : ''}` : 'Shared storage'}</td>
              </tr>
              <tr>
                <th>Migration</th>
                <td>{draft.mode === 'live' ? 'Live migration' : 'Quick Migration'}</td>
              </tr>
              <tr>
                <th>Fit check</th>
                <td>{checking ? 'checking…' : fit === null ? 'not run' : fit.ok ? `passed${fit.problems.length ? ` with ${fit.problems.length} warning${fit.problems.length > 1 ? 's' : ''}` : ''}` : 'problems found (see Choose Target Host)'}</td>
              </tr>
            </tbody>
          </table>
          <div>
            <div className={s.hint}>Equivalent command</div>
            <pre className={s.cli}>{cliFor(vm.name, target.address, draft)}</pre>
          </div>
          <Text className={s.hint}>Finish starts the move. The VM stays on {sourceName} until the target reports it running.</Text>
        </>
      )}
      {onProgress && job !== null && <MigrationProgress initial={job} hostId={hostId} mode={draft.mode} storage={draft.storage} state={startState ?? vm.status.state} onQuick={() => void start('quick')} starting={starting} />}
    </WizardFrame>
  );
}
