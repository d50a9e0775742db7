import { useCallback, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Button, mergeClasses } from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import type { VmAction } from '../../../../core/contract';
import { actionForKey } from '../../actions/vm-actions';
import { requestVmAction } from '../../actions/run-action';
import { useEngine } from '../../engine/engine-context';
import { consoleStore, useConsole } from '../../state/app-stores';
import { clickSelection, moveSelection, type Modifiers } from '../../state/selection';
import { openDialog, uiStore, useUi, type ColumnKey } from '../../state/ui-store';
import { useSelectionActions } from '../../state/use-selection';
import { ColumnHeader } from './ColumnHeader';
import { COLUMNS, sortIds } from './columns';
import { HEADER_HEIGHT, ROW_HEIGHT, useListStyles } from './list-styles';
import { VmContextMenu, type MenuPoint } from './VmContextMenu';
import { VmRow, rowDomId } from './VmRow';

function useOrderedIds(): readonly string[] {
  const sortedIds = useConsole((s) => s.sortedIds);
  const sort = useUi((s) => s.sort);
  const live = COLUMNS.find((c) => c.key === sort.key)?.live ?? false;
  // Name order needs no data beyond the id list; other columns re-sort as values change.
  const version = useConsole((s) => (sort.key === 'name' ? 0 : live ? s.statsVersion : s.statesVersion));
  const jobs = useConsole((s) => (sort.key === 'status' ? s.jobByVm : null));
  return useMemo(() => {
    const st = consoleStore.getState();
    return sortIds(sortedIds, st.vms, jobs ?? st.jobByVm, sort.key, sort.dir);
  }, [sortedIds, sort, version, jobs]);
}

/** The Virtual Machines list: a virtualized, sortable, multi-select grid. */
export function VmList() {
  const s = useListStyles();
  const engine = useEngine();
  const gridRef = useRef<HTMLDivElement>(null);
  const order = useOrderedIds();
  const orderRef = useRef(order);
  orderRef.current = order;
  const selectedIds = useUi((st) => st.selectedIds);
  const focusId = useUi((st) => st.focusId);
  const widths = useUi((st) => st.columnWidths);
  const sort = useUi((st) => st.sort);
  const loaded = useConsole((st) => st.loaded);
  const { vms: selectedVms, actions } = useSelectionActions();
  const [active, setActive] = useState(false);
  // The focus ring shows for keyboard use only; a mouse click shows the selection alone.
  const [keyboard, setKeyboard] = useState(false);
  const pointerDown = useRef(false);
  const [menuPoint, setMenuPoint] = useState<MenuPoint | null>(null);

  const template = COLUMNS.map((c) => `${widths[c.key]}px`).join(' ') + ' minmax(0, 1fr)';
  const totalWidth = COLUMNS.reduce((n, c) => n + widths[c.key], 0);

  const virtualizer = useVirtualizer({
    count: order.length,
    getScrollElement: () => gridRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    getItemKey: (i) => order[i] ?? i,
  });

  const scrollRowIntoView = useCallback((id: string) => {
    const el = gridRef.current;
    const i = orderRef.current.indexOf(id);
    if (el === null || i < 0) return;
    const top = i * ROW_HEIGHT; // below the sticky header
    const visible = el.clientHeight - HEADER_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + visible) el.scrollTop = top + ROW_HEIGHT - visible;
  }, []);

  const select = (next: ReturnType<typeof clickSelection>): void => {
    uiStore.setState(next);
    if (next.focusId !== null) scrollRowIntoView(next.focusId);
  };

  const runAction = (a: VmAction): void => requestVmAction(engine, a, selectedVms);

  const rowIdFrom = (e: MouseEvent): string | null =>
    (e.target as HTMLElement).closest<HTMLElement>('[data-vm-id]')?.dataset['vmId'] ?? null;

  const onClick = (e: MouseEvent<HTMLDivElement>): void => {
    const id = rowIdFrom(e);
    if (id === null) return;
    select(clickSelection(uiStore.getState(), id, { ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey }, orderRef.current));
  };

  const onDoubleClick = (e: MouseEvent<HTMLDivElement>): void => {
    const id = rowIdFrom(e);
    if (id === null) return;
    const a = actionForKey('Enter', actions);
    if (a !== null) runAction(a);
  };

  const onContextMenu = (e: MouseEvent<HTMLDivElement>): void => {
    e.preventDefault();
    const id = rowIdFrom(e);
    if (id === null) return;
    const ui = uiStore.getState();
    if (!ui.selectedIds.has(id)) uiStore.setState({ selectedIds: new Set([id]), anchorId: id, focusId: id });
    else uiStore.setState({ focusId: id });
    setMenuPoint({ x: e.clientX, y: e.clientY });
  };

  const openMenuAtFocus = (): void => {
    const ui = uiStore.getState();
    if (ui.selectedIds.size === 0) return;
    const rowEl = ui.focusId === null ? null : document.getElementById(rowDomId(ui.focusId));
    const rect = (rowEl ?? gridRef.current)?.getBoundingClientRect();
    if (rect === undefined) return;
    setMenuPoint({ x: rect.left + 24, y: rect.top + Math.min(rect.height, ROW_HEIGHT) });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const ids = orderRef.current;
    const ui = uiStore.getState();
    const mods: Modifiers = { ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey };
    const page = Math.max(1, Math.floor(((gridRef.current?.clientHeight ?? 0) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        select(moveSelection(ui, { delta: 1 }, mods, ids));
        break;
      case 'ArrowUp':
        select(moveSelection(ui, { delta: -1 }, mods, ids));
        break;
      case 'PageDown':
        select(moveSelection(ui, { delta: page }, mods, ids));
        break;
      case 'PageUp':
        select(moveSelection(ui, { delta: -page }, mods, ids));
        break;
      case 'Home':
        select(moveSelection(ui, { to: 'first' }, mods, ids));
        break;
      case 'End':
        select(moveSelection(ui, { to: 'last' }, mods, ids));
        break;
      case ' ':
        if (ui.focusId !== null) select(clickSelection(ui, ui.focusId, { ctrl: mods.ctrl, shift: false }, ids));
        break;
      case 'ContextMenu':
        openMenuAtFocus();
        break;
      case 'F10':
        if (e.shiftKey) openMenuAtFocus();
        else handled = false;
        break;
      default:
        if (mods.ctrl && e.key.toLowerCase() === 'a') {
          uiStore.setState({ selectedIds: new Set(ids), anchorId: ids[0] ?? null, focusId: ui.focusId ?? ids[0] ?? null });
          break;
        }
        if (!mods.ctrl && !e.altKey) {
          const a = actionForKey(e.key, actions);
          if (a !== null) {
            runAction(a);
            break;
          }
        }
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  const onSort = (key: ColumnKey): void => {
    uiStore.setState((st) => ({
      sort: { key, dir: st.sort.key === key && st.sort.dir === 'asc' ? 'desc' : 'asc' },
    }));
  };

  const onResize = (key: ColumnKey, width: number): void => {
    uiStore.setState((st) => ({ columnWidths: { ...st.columnWidths, [key]: width } }));
  };

  const items = virtualizer.getVirtualItems();
  return (
    <>
      <div
        ref={gridRef}
        role="grid"
        aria-label="Virtual Machines"
        aria-multiselectable="true"
        aria-rowcount={order.length + 1}
        aria-colcount={COLUMNS.length}
        aria-activedescendant={focusId !== null && order.includes(focusId) ? rowDomId(focusId) : undefined}
        tabIndex={0}
        data-testid="vm-list"
        className={mergeClasses(s.grid, order.length === 0 && s.gridEmptyFocus)}
        onKeyDown={(e) => {
          setKeyboard(true);
          onKeyDown(e);
        }}
        onMouseDown={() => {
          pointerDown.current = true;
          setKeyboard(false);
        }}
        onMouseUp={() => {
          pointerDown.current = false;
        }}
        onClick={onClick}
        onDoubleClick={onDoubleClick}
        onContextMenu={onContextMenu}
        onFocus={() => {
          setActive(true);
          if (!pointerDown.current) setKeyboard(true); // arrived by Tab: show where the keys act
          // Give keyboard users a starting row.
          const ui = uiStore.getState();
          if (ui.focusId === null && order[0] !== undefined) uiStore.setState({ focusId: ui.selectedIds.values().next().value ?? order[0] });
        }}
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setActive(false);
        }}
      >
        <div role="rowgroup" className={s.header} style={{ height: HEADER_HEIGHT, minWidth: totalWidth }}>
          <div role="row" aria-rowindex={1} className={s.row} style={{ gridTemplateColumns: template, height: HEADER_HEIGHT }}>
            {COLUMNS.map((c, i) => (
              <ColumnHeader
                key={c.key}
                column={c}
                index={i}
                width={widths[c.key]}
                sortDir={sort.key === c.key ? sort.dir : null}
                onSort={() => onSort(c.key)}
                onResize={(w) => onResize(c.key, w)}
              />
            ))}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: totalWidth }}>
          {items.map((item) => {
            const id = order[item.index];
            if (id === undefined) return null;
            return (
              <VmRow
                key={id}
                id={id}
                index={item.index}
                offset={item.start - HEADER_HEIGHT}
                template={template}
                width={Math.max(totalWidth, 0)}
                selected={selectedIds.has(id)}
                focused={keyboard && focusId === id}
                active={active}
              />
            );
          })}
        </div>
        {loaded && order.length === 0 && (
          <div className={s.empty}>
            <div>No virtual machines were found on this server.</div>
            <Button appearance="transparent" size="small" icon={<Add16Regular />} onClick={() => openDialog({ kind: 'newVm' })}>
              New Virtual Machine…
            </Button>
          </div>
        )}
      </div>
      <VmContextMenu
        point={menuPoint}
        actions={actions}
        onAction={(a) => {
          setMenuPoint(null);
          runAction(a);
        }}
        onClose={() => {
          setMenuPoint(null);
          gridRef.current?.focus();
        }}
      />
    </>
  );
}
