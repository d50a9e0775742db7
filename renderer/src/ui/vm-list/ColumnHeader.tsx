import { useRef } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import { mergeClasses } from '@fluentui/react-components';
import { ArrowSortDown16Regular, ArrowSortUp16Regular } from '@fluentui/react-icons';
import { MIN_COLUMN_WIDTH, type SortDir } from '../../state/ui-store';
import type { ColumnDef } from './columns';
import { useListStyles } from './list-styles';

export interface ColumnHeaderProps {
  column: ColumnDef;
  index: number;
  width: number;
  sortDir: SortDir | null;
  onSort: () => void;
  onResize: (width: number) => void;
}

/** A sortable column header with a drag (or arrow-key) resize handle on its right edge. */
export function ColumnHeader({ column, index, width, sortDir, onSort, onResize }: ColumnHeaderProps) {
  const s = useListStyles();
  const drag = useRef<{ x: number; w: number } | null>(null);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    e.preventDefault();
    e.stopPropagation();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, w: width };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag.current === null) return;
    onResize(Math.max(MIN_COLUMN_WIDTH, Math.round(drag.current.w + e.clientX - drag.current.x)));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  // Ctrl+Left/Right on a focused header resizes its column (the keyboard twin of dragging).
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>): void => {
    if (!e.ctrlKey) return;
    const step = e.shiftKey ? 40 : 10;
    if (e.key === 'ArrowLeft') onResize(Math.max(MIN_COLUMN_WIDTH, width - step));
    else if (e.key === 'ArrowRight') onResize(width + step);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const SortIcon = sortDir === 'asc' ? ArrowSortUp16Regular : ArrowSortDown16Regular;
  return (
    <div
      role="columnheader"
      aria-colindex={index + 1}
      aria-sort={sortDir === null ? 'none' : sortDir === 'asc' ? 'ascending' : 'descending'}
      className={s.headerCell}
    >
      <button
        type="button"
        className={mergeClasses(s.headerButton, column.align === 'end' && s.headerButtonEnd)}
        onClick={onSort}
        onKeyDown={onKeyDown}
        title={`Sort by ${column.title} (Ctrl+Left/Right resizes)`}
      >
        <span className={s.headerLabel}>{column.title}</span>
        {sortDir !== null && <SortIcon aria-hidden="true" style={{ flexShrink: 0 }} />}
      </button>
      <div
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize ${column.title} column`}
        aria-valuenow={width}
        aria-valuemin={MIN_COLUMN_WIDTH}
        tabIndex={-1}
        className={s.resizer}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onClick={(e) => e.stopPropagation()}
        onDoubleClick={(e) => e.stopPropagation()}
      />
    </div>
  );
}
