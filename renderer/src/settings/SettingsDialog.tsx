import { useEffect, useMemo, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ErrorCircle16Filled, LockClosed16Regular } from '@fluentui/react-icons';
import { toErrorInfo, type ErrorInfo, type VmConfig } from '../../../core/contract';
import { DialogError } from '../dialogs/DialogError';
import { useEngine } from '../engine/engine-context';
import { consoleStore, useConsole } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';
import { hardwareList, type HardwareEntry } from './hardware-list';
import { AddHardwarePage, ComPage, NetworkAdapterPage } from './pages-devices';
import { AutoStartPage, AutoStopPage, IntegrationPage, NamePage } from './pages-management';
import { DiskettePage, IdePage, ScsiPage } from './pages-storage';
import { BiosPage, MemoryPage, ProcessorPage } from './pages-system';
import {
  HOT_PAGES,
  LOCKED_REASON,
  applyDiskInfo,
  changedKeys,
  diffConfig,
  disksToInspect,
  isLocked,
  validateSettings,
  type SettingsPageId,
} from './settings-model';
import type { SettingsPageProps } from './settings-page-props';
import { useNavDialogStyles } from '../ui/nav-dialog-styles';

const useStyles = makeStyles({
  surface: { width: '920px' },
  body: { height: 'min(640px, calc(100vh - 48px))' },
  nav: { width: '260px' },
  entry: { gridTemplateColumns: '20px minmax(0, 1fr) auto', padding: '3px 12px 3px 11px' },
  entryTitle: { fontSize: tokens.fontSizeBase300 },
  entryDetail: { gridColumn: '2 / 4', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  entryIcon: { color: tokens.colorNeutralForeground2 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  lock: { color: tokens.colorNeutralForeground3 },
  loading: { padding: '40px', display: 'flex', justifyContent: 'center' },
});

function Page({ id, props, onSelect }: { id: SettingsPageId; props: SettingsPageProps; onSelect: (id: SettingsPageId) => void }) {
  if (id.startsWith('nic:')) return <NetworkAdapterPage {...props} adapterId={id.slice(4)} onRemoved={() => onSelect('addHardware')} />;
  switch (id) {
    case 'addHardware':
      return <AddHardwarePage {...props} onAdded={(p) => onSelect(p as SettingsPageId)} />;
    case 'bios':
      return <BiosPage {...props} />;
    case 'memory':
      return <MemoryPage {...props} />;
    case 'processor':
      return <ProcessorPage {...props} />;
    case 'ide0':
      return <IdePage {...props} controller={0} />;
    case 'ide1':
      return <IdePage {...props} controller={1} />;
    case 'scsi':
      return <ScsiPage {...props} />;
    case 'com1':
      return <ComPage {...props} port={1} />;
    case 'com2':
      return <ComPage {...props} port={2} />;
    case 'diskette':
      return <DiskettePage {...props} />;
    case 'name':
      return <NamePage {...props} />;
    case 'integration':
      return <IntegrationPage {...props} />;
    case 'autoStart':
      return <AutoStartPage {...props} />;
    case 'autoStop':
      return <AutoStopPage {...props} />;
    default:
      return null;
  }
}

/** Hyper-V's VM Settings: hardware list, page, OK / Cancel / Apply; sends only changed keys. */
export function SettingsDialog({ vmId }: { vmId: string }) {
  const s = useStyles();
  const nd = useNavDialogStyles();
  const engine = useEngine();
  const host = useConsole((st) => st.host);
  const state = useConsole((st) => st.vms.get(vmId)?.status.state ?? null);
  const [original, setOriginal] = useState<VmConfig | null>(null);
  const [draft, setDraft] = useState<VmConfig | null>(null);
  const [page, setPage] = useState<SettingsPageId>('memory');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    engine.call('vm.get', { vm: vmId }).then(
      (detail) => {
        if (cancelled) return;
        setOriginal(detail.config);
        setDraft(detail.config);
      },
      (err: unknown) => {
        if (!cancelled) setError(toErrorInfo(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [engine, vmId]);

  const otherNames = useMemo(
    () => [...consoleStore.getState().vms.values()].filter((v) => v.id !== vmId).map((v) => v.name),
    [vmId],
  );
  const locked = state !== null && isLocked(state);
  const errors = draft === null ? {} : validateSettings(draft, { maxMemoryMiB: host?.maxVmMemoryMiB ?? 4096, otherNames });
  const valid = Object.keys(errors).length === 0;
  const changes = original !== null && draft !== null ? diffConfig(original, draft) : {};
  const dirty = changedKeys(changes).length > 0;

  const apply = async (): Promise<boolean> => {
    if (original === null || draft === null) return false;
    setBusy(true);
    setError(null);
    try {
      let next = draft;
      const paths = disksToInspect(original, draft);
      if (paths.length > 0) {
        const infos = await Promise.all(paths.map(async (path) => [path, await engine.call('disk.inspect', { path })] as const));
        next = applyDiskInfo(draft, new Map(infos));
      }
      const delta = diffConfig(original, next);
      if (changedKeys(delta).length > 0) {
        const detail = await engine.call('vm.update', { vm: vmId, changes: delta });
        setOriginal(detail.config);
        setDraft(detail.config);
      }
      setBusy(false);
      return true;
    } catch (err) {
      setError(toErrorInfo(err));
      setBusy(false);
      return false;
    }
  };

  const entries = draft === null ? [] : hardwareList(draft);
  const current = entries.find((e) => e.id === page);
  const pageLocked = locked && !HOT_PAGES.has(page.startsWith('nic:') ? 'nic' : page);
  const title = `Settings for ${original?.name ?? consoleStore.getState().vms.get(vmId)?.name ?? 'virtual machine'}`;

  const renderGroup = (group: HardwareEntry['group']) => (
    <>
      <h3 className={nd.group}>{group}</h3>
      <ul className={nd.list}>
        {entries
          .filter((e) => e.group === group)
          .map((e) => {
            const Icon = e.icon;
            const bad = errors[e.id] !== undefined;
            const lockedEntry = locked && !HOT_PAGES.has(e.id.startsWith('nic:') ? 'nic' : e.id);
            return (
              <li key={e.id}>
                <button
                  type="button"
                  className={mergeClasses(nd.entry, s.entry, page === e.id && nd.selected)}
                  aria-current={page === e.id ? 'page' : undefined}
                  onClick={() => setPage(e.id)}
                  data-testid={`settings-nav-${e.id.startsWith('nic:') ? 'nic' : e.id}`}
                >
                  <Icon className={s.entryIcon} aria-hidden="true" />
                  <span className={mergeClasses(nd.entryTitle, s.entryTitle)}>{e.title}</span>
                  {bad ? (
                    <ErrorCircle16Filled className={s.bad} aria-label="has a problem" />
                  ) : lockedEntry ? (
                    <LockClosed16Regular className={s.lock} aria-label="needs the virtual machine off" />
                  ) : (
                    <span />
                  )}
                  <span className={mergeClasses(nd.entryDetail, s.entryDetail)}>{e.detail}</span>
                </button>
              </li>
            );
          })}
      </ul>
    </>
  );

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && !busy && closeDialog()}>
      <DialogSurface className={mergeClasses(nd.surface, s.surface)} data-testid="settings-dialog">
        <DialogBody className={mergeClasses(nd.body, s.body)}>
          <DialogTitle className={nd.title}>{title}</DialogTitle>
          <DialogContent className={nd.main}>
            {draft === null || original === null ? (
              <div className={nd.page}>
                <DialogError error={error} />
                {error === null && (
                  <div className={s.loading}>
                    <Spinner size="small" label="Reading the virtual machine’s settings…" />
                  </div>
                )}
              </div>
            ) : (
              <>
                <nav className={mergeClasses(nd.nav, s.nav)} aria-label="Hardware and management settings">
                  {renderGroup('Hardware')}
                  {renderGroup('Management')}
                </nav>
                <section className={nd.page} aria-labelledby="settings-page-title">
                  <h2 className={nd.pageTitle} id="settings-page-title">
                    {current?.title}
                  </h2>
                  <DialogError error={error} />
                  {pageLocked && (
                    <MessageBar intent="info" data-testid="settings-locked">
                      <MessageBarBody>{LOCKED_REASON}</MessageBarBody>
                    </MessageBar>
                  )}
                  <Page
                    id={page}
                    onSelect={setPage}
                    props={{
                      draft,
                      original,
                      set: (fn) => setDraft((d) => (d === null ? d : fn(d))),
                      errors: errors[page] ?? {},
                      disabled: pageLocked || busy,
                      host,
                    }}
                  />
                </section>
              </>
            )}
          </DialogContent>
          <DialogActions className={nd.actions}>
            {busy && <Spinner size="tiny" label="Applying…" />}
            <Button
              appearance="primary"
              disabled={busy || draft === null || !valid}
              onClick={() => {
                if (!dirty) closeDialog();
                else
                  void apply().then((ok) => {
                    if (ok) closeDialog();
                  });
              }}
            >
              OK
            </Button>
            <Button disabled={busy} onClick={closeDialog}>
              Cancel
            </Button>
            <Button disabled={busy || !dirty || !valid} onClick={() => void apply()}>
              Apply
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
