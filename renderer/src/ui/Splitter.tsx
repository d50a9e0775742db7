import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    height: '5px',
    flexShrink: 0,
    cursor: 'row-resize',
    backgroundColor: tokens.colorNeutralStroke2,
    touchAction: 'none',
    ':hover': { backgroundColor: tokens.colorBrandStroke2 },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-1px' },
  },
});

/**
 * A horizontal splitter: dragging (or Up/Down on it) resizes the pane below.
 * `value` is that pane's height in px.
 */
export function Splitter({ label, value, min, max, onChange }: { label: string; value: number; min: number; max: number; onChange: (v: number) => void }) {
  const s = useStyles();
  const drag = useRef<{ y: number; v: number } | null>(null);
  const clamp = (v: number): number => Math.round(Math.min(max, Math.max(min, v)));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { y: e.clientY, v: value };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag.current !== null) onChange(clamp(drag.current.v - (e.clientY - drag.current.y)));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.shiftKey ? 64 : 16;
    if (e.key === 'ArrowUp') onChange(clamp(value + step));
    else if (e.key === 'ArrowDown') onChange(clamp(value - step));
    else return;
    e.preventDefault();
  };
  return (
    <div
      role="separator"
      aria-orientation="horizontal"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      className={s.root}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
