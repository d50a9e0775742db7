import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { parseLayout, persistLayout } from './layout-persistence';
import { DEFAULT_COLUMN_WIDTHS, uiStore, type UiData } from './ui-store';

describe('layout persistence', () => {
  it('ignores junk and out-of-range widths', () => {
    expect(parseLayout('not json')).toEqual({});
    expect(parseLayout(null)).toEqual({});
    const l = parseLayout(JSON.stringify({ columnWidths: { name: 300, cpu: 3, bogus: 9 }, sort: { key: 'evil', dir: 'asc' } }));
    expect(l.columnWidths).toEqual({ ...DEFAULT_COLUMN_WIDTHS, name: 300 });
    expect(l.sort).toBeUndefined();
  });

  it('restores and saves widths, panes and sort', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const a = createStore<UiData>()(() => uiStore.getState());
    persistLayout(a, storage);
    a.setState({ columnWidths: { ...DEFAULT_COLUMN_WIDTHS, status: 333 }, sort: { key: 'cpu', dir: 'desc' } });
    const b = createStore<UiData>()(() => uiStore.getState());
    persistLayout(b, storage);
    expect(b.getState().columnWidths.status).toBe(333);
    expect(b.getState().sort).toEqual({ key: 'cpu', dir: 'desc' });
  });
});
