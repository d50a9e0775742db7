import { useMemo, useState } from 'react';
import { toErrorInfo, type ErrorInfo } from '../../../../core/contract';
import { useEngine } from '../../engine/engine-context';
import { consoleStore, useConsole } from '../../state/app-stores';
import { closeDialog, selectOnly } from '../../state/ui-store';
import { WizardFrame, type WizardStep } from '../WizardFrame';
import { defaultDraft, toCreateParams, type NewVmDraft } from './draft';
import { SKIP_INTRO_KEY, BeforeYouBeginPage } from './pages-intro';
import { InstallPage, SummaryPage } from './pages-install-summary';
import { MemoryPage, NamePage } from './pages-name-memory';
import { DiskPage, NetworkPage } from './pages-network-disk';
import { draftWarnings, hasErrors, validateDiskSize, validateDraft, type NewVmPage } from './validation';

const PAGES: readonly { id: NewVmPage; title: string }[] = [
  { id: 'begin', title: 'Before You Begin' },
  { id: 'name', title: 'Specify Name and Location' },
  { id: 'memory', title: 'Assign Memory' },
  { id: 'network', title: 'Configure Networking' },
  { id: 'disk', title: 'Connect Virtual Hard Disk' },
  { id: 'install', title: 'Installation Options' },
  { id: 'summary', title: 'Completing the Wizard' },
];

function readSkipIntro(): boolean {
  try {
    return localStorage.getItem(SKIP_INTRO_KEY) === '1';
  } catch {
    return false;
  }
}

/** New Virtual Machine wizard: Hyper-V's pages, inline validation, Finish early with defaults. */
export function NewVmWizard() {
  const engine = useEngine();
  const host = useConsole((s) => s.host);
  const [skipIntro, setSkipIntro] = useState(readSkipIntro);
  const [page, setPage] = useState(skipIntro ? 1 : 0);
  const [draft, setDraft] = useState<NewVmDraft>(() => defaultDraft(host));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const existingNames = useMemo(() => [...consoleStore.getState().vms.values()].map((v) => v.name), []);
  const errors = validateDraft(draft, { maxMemoryMiB: host?.maxVmMemoryMiB ?? 4096, existingNames });
  const warnings = draftWarnings(draft);
  const allValid = PAGES.every((p) => !hasErrors(errors[p.id]));
  const current = PAGES[page] ?? PAGES[0];
  const pageId = current?.id ?? 'begin';

  const update = (fn: (d: NewVmDraft) => NewVmDraft): void => {
    setDraft(fn);
    setError(null);
  };

  const finish = async (): Promise<void> => {
    if (!allValid) return;
    setBusy(true);
    setError(null);
    try {
      const size = draft.disk.mode === 'new' ? validateDiskSize(draft.disk.size, draft.disk.format).bytes : null;
      const vm = await engine.call('vm.create', toCreateParams(draft, size));
      closeDialog();
      selectOnly(vm.id);
    } catch (err) {
      setError(toErrorInfo(err));
      setBusy(false);
    }
  };

  const steps: WizardStep[] = PAGES.map((p) => ({ id: p.id, title: p.title, invalid: hasErrors(errors[p.id]) }));
  const props = { draft, update, errors: errors[pageId], warning: warnings[pageId], host };
  const sizeBytes = draft.disk.mode === 'new' ? validateDiskSize(draft.disk.size, draft.disk.format).bytes : null;

  return (
    <WizardFrame
      title="New Virtual Machine Wizard"
      testId="wizard-new-vm"
      steps={steps}
      current={page}
      onStep={(i) => setPage(Math.max(0, Math.min(PAGES.length - 1, i)))}
      canNext={!hasErrors(errors[pageId])}
      canFinish={allValid}
      busy={busy}
      busyLabel="Creating the virtual machine…"
      error={error}
      onFinish={() => void finish()}
      onCancel={closeDialog}
    >
      {pageId === 'begin' && (
        <BeforeYouBeginPage
          skip={skipIntro}
          onSkip={(v) => {
            setSkipIntro(v);
            try {
              localStorage.setItem(SKIP_INTRO_KEY, v ? '1' : '0');
            } catch {
              // storage unavailable (private mode): the choice lasts for this wizard only
            }
          }}
        />
      )}
      {pageId === 'name' && <NamePage {...props} />}
      {pageId === 'memory' && <MemoryPage {...props} />}
      {pageId === 'network' && <NetworkPage {...props} />}
      {pageId === 'disk' && <DiskPage {...props} />}
      {pageId === 'install' && <InstallPage {...props} />}
      {pageId === 'summary' && <SummaryPage {...props} sizeBytes={sizeBytes} />}
    </WizardFrame>
  );
}
