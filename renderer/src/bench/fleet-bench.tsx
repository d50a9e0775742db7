import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { ViridianError, type AnyEvent, type VmSummary } from '../../../core/contract';
import { useGlobalStyles } from '../app/global-styles';
import { EngineContext, type EngineApi } from '../engine/engine-context';
import { consoleBatcher, consoleStore } from '../state/app-stores';
import { connectionStore } from '../state/connection-store';
import { loadSnapshot } from '../state/console-store';
import { ConsoleShell } from '../ui/ConsoleShell';
import { simulatedFleet, simulatedSnapshot, statsBatch } from './simulated-fleet';

/**
 * Simulated fleet benchmark: the real console (store, batching, virtual list)
 * fed 10,000 SIMULATED VMs and bursts of updates. Results go to
 * window.__benchResult (JSON) and into the page.
 */
export interface FleetBenchResult {
  kind: 'simulated fleet';
  vms: number;
  statsPerBatch: number;
  /** ms from an update entering the store's queue to the row's DOM change, then to the next painted frame. */
  updateToDomMs: Stats;
  updateToPaintMs: Stats;
  scroll: { durationMs: number; frames: number; fps: number; p95FrameMs: number; longFrames: number; rowsScrolled: number };
  userAgent: string;
}

interface Stats {
  samples: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

declare global {
  interface Window {
    __benchResult?: FleetBenchResult;
    __benchError?: string;
  }
}

const params = new URLSearchParams(location.search);
const VM_COUNT = Number(params.get('vms') ?? 10_000);
const SAMPLES = Number(params.get('samples') ?? 40);
const STATS_PER_BATCH = Number(params.get('batch') ?? 2_000);
const SCROLL_MS = Number(params.get('scrollMs') ?? 4_000);

const noEngine: EngineApi = {
  call: () => Promise.reject(new ViridianError('UNSUPPORTED', 'This is the simulated fleet benchmark: there is no engine.')),
  shell: 'electron', // hides the in-page menu bar: the list gets the same room as in the app
  refresh: () => undefined,
  reconnect: () => undefined,
};

function stats(values: number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.floor(q * v.length))] ?? 0;
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    samples: v.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(v.at(-1) ?? 0),
    mean: round(v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)),
  };
}

const nextFrame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
/** Resolves after the frame in which the DOM changed has been painted. */
const afterPaint = (): Promise<void> =>
  new Promise((r) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => r();
      ch.port2.postMessage(null);
    }),
  );

function waitFor<T>(get: () => T | null, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const poll = (): void => {
      const v = get();
      if (v !== null) resolve(v);
      else if (performance.now() - t0 > timeoutMs) reject(new Error('timed out waiting for the simulated fleet to render'));
      else requestAnimationFrame(poll);
    };
    poll();
  });
}

/** One sample: change a visible row's state (plus a stats burst for many others) and time its repaint. */
async function measureUpdate(vms: VmSummary[], seq: number, tick: number): Promise<{ dom: number; paint: number }> {
  const rows = [...document.querySelectorAll<HTMLElement>('[role="row"][data-vm-id]')];
  const row = rows[Math.floor(rows.length / 2)];
  const id = row?.dataset['vmId'];
  const vm = id === undefined ? undefined : consoleStore.getState().vms.get(id);
  if (row === undefined || vm === undefined) throw new Error('no visible row to measure');
  const nextState = vm.status.state === 'Running' ? 'Paused' : 'Running';
  const changed: AnyEvent = { e: 'vm.upsert', p: { vm: { ...vm, status: { ...vm.status, state: nextState } } }, seq: seq + 1 };
  const burst = statsBatch(vms, tick * STATS_PER_BATCH, STATS_PER_BATCH, seq, tick);

  const dom = new Promise<number>((resolve) => {
    const mo = new MutationObserver(() => {
      mo.disconnect();
      resolve(performance.now());
    });
    mo.observe(row, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const t0 = performance.now();
  consoleBatcher.push([burst, changed]); // the real path: queued, applied on the next animation frame
  const tDom = await dom;
  await afterPaint();
  const tPaint = performance.now();
  return { dom: tDom - t0, paint: tPaint - t0 };
}

async function measureScroll(grid: HTMLElement, vms: VmSummary[]): Promise<FleetBenchResult['scroll']> {
  const frameTimes: number[] = [];
  const start = await nextFrame();
  let last = start;
  let tick = 10_000;
  let seq = 1_000_000;
  const rowsBefore = grid.scrollTop;
  // Stats keep arriving while scrolling, as they would from a real fleet.
  const feeder = setInterval(() => {
    consoleBatcher.push([statsBatch(vms, tick * STATS_PER_BATCH, STATS_PER_BATCH, ++seq, tick++)]);
  }, 250);
  for (;;) {
    grid.scrollTop += 84; // three rows per frame
    const now = await nextFrame();
    frameTimes.push(now - last);
    last = now;
    if (now - start >= SCROLL_MS) break;
  }
  clearInterval(feeder);
  const durationMs = last - start;
  const s = stats(frameTimes);
  return {
    durationMs: Math.round(durationMs),
    frames: frameTimes.length,
    fps: Math.round((frameTimes.length / durationMs) * 1000 * 10) / 10,
    p95FrameMs: s.p95,
    longFrames: frameTimes.filter((t) => t > 50).length,
    rowsScrolled: Math.round((grid.scrollTop - rowsBefore) / 28),
  };
}

async function run(): Promise<void> {
  const vms = simulatedFleet(VM_COUNT);
  connectionStore.setState({ status: { state: 'connected' } });
  loadSnapshot(consoleStore, simulatedSnapshot(vms));
  const grid = await waitFor(() => document.querySelector<HTMLElement>('[data-testid="vm-list"]'));
  await waitFor(() => document.querySelector('[role="row"][data-vm-id]'));
  grid.scrollTop = 28 * 2_000; // somewhere in the middle of the fleet
  await afterPaint();
  await afterPaint();

  const dom: number[] = [];
  const paint: number[] = [];
  let seq = 10;
  for (let i = 0; i < SAMPLES; i++) {
    const r = await measureUpdate(vms, seq, i);
    seq += 2;
    dom.push(r.dom);
    paint.push(r.paint);
    await afterPaint();
  }
  // The store's seq only matters to engine sessions; keep it moving like one.
  const scroll = await measureScroll(grid, vms);
  const result: FleetBenchResult = {
    kind: 'simulated fleet',
    vms: VM_COUNT,
    statsPerBatch: STATS_PER_BATCH,
    updateToDomMs: stats(dom),
    updateToPaintMs: stats(paint),
    scroll,
    userAgent: navigator.userAgent,
  };
  window.__benchResult = result;
  const out = document.getElementById('bench-result');
  if (out !== null) out.textContent = JSON.stringify(result, null, 2);
}

function BenchPage() {
  useGlobalStyles();
  return (
    <FluentProvider theme={webLightTheme} style={{ height: '100%' }}>
      <div style={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
        <div style={{ padding: '6px 10px', background: '#fff4ce', fontSize: 12, fontFamily: 'system-ui, sans-serif' }} data-testid="bench-banner">
          Simulated fleet benchmark: {VM_COUNT.toLocaleString('en')} simulated virtual machines, no engine. Results:{' '}
          <code id="bench-result" data-testid="bench-result">
            running…
          </code>
        </div>
        <div style={{ flexGrow: 1, minHeight: 0 }}>
          <EngineContext.Provider value={noEngine}>
            <ConsoleShell />
          </EngineContext.Provider>
        </div>
      </div>
    </FluentProvider>
  );
}

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <BenchPage />
    </StrictMode>,
  );
  run().catch((err: unknown) => {
    window.__benchError = err instanceof Error ? err.message : String(err);
    const out = document.getElementById('bench-result');
    if (out !== null) out.textContent = `failed: ${window.__benchError}`;
  });
}
