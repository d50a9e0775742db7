import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ErrorInfo, VmAction } from '../../../core/contract';

export type ColumnKey = 'name' | 'state' | 'cpu' | 'memory' | 'uptime' | 'status';
export type SortDir = 'asc' | 'desc';

export const DEFAULT_COLUMN_WIDTHS: Readonly<Record<ColumnKey, number>> = {
  name: 220,
  state: 110,
  cpu: 90,
  memory: 130,
  uptime: 100,
  status: 200,
};
export const MIN_COLUMN_WIDTH = 48;
export const DEFAULT_BOTTOM_HEIGHT = 300;

/** The one modal dialog showing, if any. */
export type DialogRequest =
  | { kind: 'newVm' }
  | { kind: 'newDisk' }
  | { kind: 'settings'; vmId: string }
  | { kind: 'rename'; vmId: string }
  | { kind: 'delete'; vmIds: readonly string[] }
  | { kind: 'confirm'; action: VmAction; vmIds: readonly string[] }
  | { kind: 'notAvailable'; action: VmAction }
  | { kind: 'connectServer' }
  | { kind: 'migrate'; vmId: string; hostId: string | null }
  | { kind: 'about' }
  | { kind: 'networkManager' }
  | { kind: 'editDisk'; path?: string; action?: 'compact' | 'convert' | 'expand' | 'merge' | 'reconnect' }
  | { kind: 'inspectDisk'; path?: string };

export interface ShownError extends ErrorInfo {
  id: number;
  /** What the user was doing, e.g. "Start “web01”". */
  context: string | null;
}

export interface UiData {
  selectedIds: ReadonlySet<string>;
  /** Where Shift-click and Shift-arrows extend from. */
  anchorId: string | null;
  /** The row with keyboard focus. */
  focusId: string | null;
  tree: 'root' | 'host';
  sort: { key: ColumnKey; dir: SortDir };
  columnWidths: Record<ColumnKey, number>;
  panes: { actions: boolean; details: boolean; tree: boolean };
  /** Height of the Snapshots + Details area under the list (splitter). */
  bottomHeight: number;
  dialog: DialogRequest | null;
  errors: readonly ShownError[];
}

export const uiStore = createStore<UiData>()(() => ({
  selectedIds: new Set<string>(),
  anchorId: null,
  focusId: null,
  tree: 'host',
  sort: { key: 'name', dir: 'asc' },
  columnWidths: { ...DEFAULT_COLUMN_WIDTHS },
  panes: { actions: true, details: true, tree: true },
  bottomHeight: DEFAULT_BOTTOM_HEIGHT,
  dialog: null,
  errors: [],
}));

export function useUi<T>(selector: (s: UiData) => T): T {
  return useStore(uiStore, selector);
}

let nextErrorId = 1;

const recent = new Map<string, number>();

export function showError(info: ErrorInfo, context: string | null = null, now = Date.now()): void {
  // The same failure can arrive twice (the call's rejection and its job's failure): show it once.
  const key = `${info.code}\u0000${info.message}`;
  const seen = recent.get(key);
  recent.set(key, now);
  if (seen !== undefined && now - seen < 3000) return;
  const shown: ShownError = { ...info, id: nextErrorId++, context };
  // Newest first; a handful is enough, older ones are noise.
  uiStore.setState((s) => ({ errors: [shown, ...s.errors].slice(0, 5) }));
}

export function dismissError(id: number): void {
  uiStore.setState((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
}

export function openDialog(dialog: DialogRequest): void {
  uiStore.setState({ dialog });
}

export function closeDialog(): void {
  uiStore.setState({ dialog: null });
}

export function selectOnly(id: string | null): void {
  uiStore.setState({ selectedIds: new Set(id === null ? [] : [id]), anchorId: id, focusId: id });
}
