import type { StoreApi } from 'zustand/vanilla';
import { DEFAULT_COLUMN_WIDTHS, MIN_COLUMN_WIDTH, type ColumnKey, type UiData } from './ui-store';

const KEY = 'viridian.layout.v1';

type Layout = Pick<UiData, 'columnWidths' | 'panes' | 'sort' | 'bottomHeight'>;

/** Reads a saved layout, keeping only values that still make sense. */
export function parseLayout(text: string | null): Partial<Layout> {
  if (text === null) return {};
  try {
    const raw = JSON.parse(text) as Partial<Layout>;
    const out: Partial<Layout> = {};
    if (raw.columnWidths !== undefined) {
      const widths = { ...DEFAULT_COLUMN_WIDTHS };
      for (const k of Object.keys(widths) as ColumnKey[]) {
        const w = raw.columnWidths[k];
        if (typeof w === 'number' && w >= MIN_COLUMN_WIDTH && w <= 2000) widths[k] = Math.round(w);
      }
      out.columnWidths = widths;
    }
    if (raw.panes !== undefined && typeof raw.panes === 'object') {
      out.panes = { actions: raw.panes.actions !== false, details: raw.panes.details !== false, tree: raw.panes.tree !== false };
    }
    if (typeof raw.bottomHeight === 'number' && raw.bottomHeight >= 80 && raw.bottomHeight <= 4000) out.bottomHeight = Math.round(raw.bottomHeight);
    if (raw.sort !== undefined && raw.sort.key in DEFAULT_COLUMN_WIDTHS && (raw.sort.dir === 'asc' || raw.sort.dir === 'desc')) out.sort = raw.sort;
    return out;
  } catch {
    return {};
  }
}

/** Column widths, sort and panes survive reloads, like an MMC console's view. */
export function persistLayout(store: StoreApi<UiData>, storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage): () => void {
  try {
    store.setState(parseLayout(storage.getItem(KEY)));
  } catch {
    // storage unavailable: defaults
  }
  let last = '';
  return store.subscribe((s) => {
    const text = JSON.stringify({ columnWidths: s.columnWidths, panes: s.panes, sort: s.sort, bottomHeight: s.bottomHeight } satisfies Layout);
    if (text === last) return;
    last = text;
    try {
      storage.setItem(KEY, text);
    } catch {
      // full or unavailable: the layout is a nicety
    }
  });
}
