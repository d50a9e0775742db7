import { useEffect } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { DialogHost } from '../dialogs/DialogHost';
import { SnapshotDialogs } from '../snapshots/SnapshotDialogs';
import { TransferDialogs } from '../transfer/TransferDialogs';
import { useEngine } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { uiStore, useUi } from '../state/ui-store';
import { AcceleratorNotice } from './AcceleratorNotice';
import { ActionsPane } from './ActionsPane';
import { ConnectionBanner } from './ConnectionBanner';
import { ConsoleToolbar } from './ConsoleToolbar';
import { DetailsPane } from './DetailsPane';
import { ErrorBar } from './ErrorBar';
import { MenuBar } from './MenuBar';
import { NavTree } from './NavTree';
import { PaneHeader } from './PaneHeader';
import { SnapshotsPane } from './SnapshotsPane';
import { Splitter } from './Splitter';
import { StatusBar } from './StatusBar';
import { VmList } from './vm-list/VmList';
import { WelcomePane } from './WelcomePane';
import { RemoteHostPane } from '../hosts/RemoteHostPane';
import { useHosts } from '../hosts/hosts-store';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
  },
  bars: { display: 'flex', flexDirection: 'column', gap: '1px', flexShrink: 0 },
  main: { display: 'flex', flexGrow: 1, minHeight: 0, gap: '1px', backgroundColor: tokens.colorNeutralStroke2 },
  tree: { width: '210px', flexShrink: 0, minWidth: 0 },
  centre: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0, gap: '1px' },
  list: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: '140px', backgroundColor: tokens.colorNeutralBackground1 },
  listBody: { flexGrow: 1, minHeight: 0 },
  // maxHeight keeps the list usable in a small window whatever was dragged before.
  bottom: { display: 'flex', flexDirection: 'column', flexShrink: 0, minHeight: 0, gap: '1px' },
  bottomSized: { maxHeight: '50vh' },
  snapshots: { height: '132px', flexShrink: 0 },
  details: { flexGrow: 1, minHeight: 0 },
  actions: { width: '230px', flexShrink: 0, minWidth: 0 },
  count: { fontWeight: tokens.fontWeightRegular, color: tokens.colorNeutralForeground3 },
  connecting: { padding: '16px', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

function VirtualMachinesPane() {
  const s = useStyles();
  const count = useConsole((st) => st.sortedIds.length);
  const loaded = useConsole((st) => st.loaded);
  return (
    <section className={s.list} aria-labelledby="vms-title">
      <PaneHeader title="Virtual Machines" id="vms-title">
        {loaded && <span className={s.count}>{count.toLocaleString('en')}</span>}
      </PaneHeader>
      <div className={s.listBody}>{loaded ? <VmList /> : <div className={s.connecting}>Connecting to the engine…</div>}</div>
    </section>
  );
}

/** Hyper-V Manager's window: menu, toolbar, tree | list+snapshots+details | actions, status bar. */
export function ConsoleShell() {
  const s = useStyles();
  const engine = useEngine();
  const panes = useUi((st) => st.panes);
  const tree = useUi((st) => st.tree);
  const remoteHost = useHosts((st) => st.selectedHostId);
  const bottomHeight = useUi((st) => st.bottomHeight);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'F5' && !e.ctrlKey) {
        // Refresh the console's data, not the page.
        e.preventDefault();
        engine.refresh();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [engine]);

  return (
    <div className={s.root}>
      <div className={s.bars}>
        {engine.shell === 'browser' && <MenuBar />}
        <ConsoleToolbar />
        <ConnectionBanner onRetry={() => engine.reconnect()} />
        <ErrorBar />
        <AcceleratorNotice />
      </div>
      <main className={s.main}>
        {panes.tree && (
          <div className={s.tree}>
            <NavTree />
          </div>
        )}
        <div className={s.centre}>
          {tree === 'root' ? (
            <WelcomePane />
          ) : remoteHost !== null ? (
            <RemoteHostPane hostId={remoteHost} />
          ) : (
            <>
              <VirtualMachinesPane />
              {panes.details && (
                <Splitter
                  label="Resize the Virtual Machines list and the panes below it"
                  value={bottomHeight}
                  min={160}
                  max={Math.max(160, window.innerHeight - 260)}
                  onChange={(v) => uiStore.setState({ bottomHeight: v })}
                />
              )}
              <div className={mergeClasses(s.bottom, panes.details && s.bottomSized)} style={{ height: panes.details ? bottomHeight : undefined }}>
                <div className={s.snapshots}>
                  <SnapshotsPane />
                </div>
                {panes.details && (
                  <div className={s.details}>
                    <DetailsPane />
                  </div>
                )}
              </div>
            </>
          )}
        </div>
        {panes.actions && (
          <div className={s.actions}>
            <ActionsPane />
          </div>
        )}
      </main>
      <StatusBar />
      <DialogHost />
      <SnapshotDialogs engine={engine} />
      <TransferDialogs engine={engine} />
    </div>
  );
}
