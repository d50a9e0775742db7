import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { VmConnectionRoot } from './vm-connection/VmConnectionRoot';
import { vmConnectionTarget } from './vm-connection/route';
import { runMenuCommand } from './app/menu-commands';
import { connectConsole } from './engine/connect';
import type { EngineApi } from './engine/engine-context';
import { consoleStore } from './state/app-stores';
import { persistLayout } from './state/layout-persistence';
import { pruneSelection } from './state/selection';
import { newlyFailedJobs, jobContext } from './state/job-failures';
import { showError, uiStore } from './state/ui-store';

const conn = connectConsole();

const engine: EngineApi = {
  call: (method, params) => conn.connection.call(method, params),
  shell: conn.bridge === null ? 'browser' : 'electron',
  refresh: conn.refresh,
  reconnect: () => conn.connection.retryNow(),
};

persistLayout(uiStore);
conn.bridge?.onMenuCommand((cmd) => runMenuCommand(engine, cmd));

// VMs that disappear leave the selection; jobs that fail later still reach the user.
consoleStore.subscribe((s, prev) => {
  // A snapshot's old failures were reported when they happened (or before this page existed).
  if (s.generation === prev.generation) {
    for (const job of newlyFailedJobs(prev.jobs, s.jobs)) if (job.error !== null) showError(job.error, jobContext(job));
  }
  if (s.sortedIds === prev.sortedIds) return;
  const ui = uiStore.getState();
  const next = pruneSelection(ui, (id) => s.vms.has(id));
  if (next !== ui) uiStore.setState(next);
});

const root = document.getElementById('root');
// A VM Connection window (desktop) or tab (browser) shows one VM's screen instead of the console.
const vmConnection = vmConnectionTarget(location.href);
if (root !== null) {
  createRoot(root).render(
    <StrictMode>{vmConnection !== null ? <VmConnectionRoot engine={engine} vmId={vmConnection} /> : <App engine={engine} />}</StrictMode>,
  );
}
