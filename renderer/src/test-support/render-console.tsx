import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { vi } from 'vitest';
import type { MethodName, MethodParams, MethodResult, VmSummary } from '../../../core/contract';
import { EngineContext, type EngineApi } from '../engine/engine-context';
import { consoleStore } from '../state/app-stores';
import { emptyConsoleData, loadSnapshot } from '../state/console-store';
import { DEFAULT_COLUMN_WIDTHS, uiStore } from '../state/ui-store';
import { makeSnapshot } from './fixtures';

type Handler = (params: unknown) => unknown;

/** A fake engine for component tests: answers from a table of handlers, records calls. */
export function fakeEngine(handlers: Partial<Record<MethodName, Handler>> = {}) {
  const call = vi.fn(<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> => {
    const h = handlers[method];
    if (h === undefined) return Promise.reject(new Error(`unexpected call ${method}`));
    try {
      return Promise.resolve(h(params) as MethodResult<M>);
    } catch (err) {
      return Promise.reject(err);
    }
  });
  const engine: EngineApi = { call: call as EngineApi['call'], shell: 'browser', refresh: vi.fn(), reconnect: vi.fn() };
  return { engine, call };
}

/** Resets the stores to a host with these VMs. */
export function seed(vms: VmSummary[]): void {
  consoleStore.setState(emptyConsoleData());
  loadSnapshot(consoleStore, makeSnapshot(vms));
  uiStore.setState({
    selectedIds: new Set(),
    anchorId: null,
    focusId: null,
    tree: 'host',
    sort: { key: 'name', dir: 'asc' },
    columnWidths: { ...DEFAULT_COLUMN_WIDTHS },
    panes: { actions: true, details: true, tree: true },
    bottomHeight: 320,
    dialog: null,
    errors: [],
  });
}

/** happy-dom lays nothing out; give scroll containers a size so the virtual list renders a window. */
export function fakeLayout(height = 600, width = 1000): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 28 });
  // happy-dom's Web Animations reject on cancel; without animate() Fluent's motion uses its test no-op path.
  Object.defineProperty(Element.prototype, 'animate', { configurable: true, value: undefined });
}

export function renderWithEngine(ui: ReactElement, engine: EngineApi) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <EngineContext.Provider value={engine}>{ui}</EngineContext.Provider>
    </FluentProvider>,
  );
}
