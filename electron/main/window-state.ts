/**
 * The main window's remembered size, position and maximized flag, and how a
 * saved rectangle is fitted back onto the displays there are now (a monitor
 * may have been unplugged since). Pure: no Electron or fs here.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;
export const MIN_SIZE = { width: 800, height: 500 } as const;
/** How much of the window (from its top-left, where the title bar is) must be on a display to keep its place. */
const MIN_VISIBLE = { width: 160, height: 60 } as const;

function isFiniteInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6;
}

/** Reads a saved state; anything malformed counts as "nothing saved". */
export function parseWindowState(json: string): WindowState | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { bounds, maximized } = raw as { bounds?: unknown; maximized?: unknown };
  if (typeof bounds !== 'object' || bounds === null) return null;
  const { x, y, width, height } = bounds as Partial<Record<keyof Rect, unknown>>;
  if (!isFiniteInt(x) || !isFiniteInt(y) || !isFiniteInt(width) || !isFiniteInt(height)) return null;
  if (width <= 0 || height <= 0) return null;
  return { bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) }, maximized: maximized === true };
}

export function serializeWindowState(state: WindowState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return r > x && bottom > y ? { x, y, width: r - x, height: bottom - y } : null;
}

/** A window of the default size (or smaller, on a small screen) centred in `workArea`. */
export function centeredIn(workArea: Rect, size: { width: number; height: number } = DEFAULT_SIZE): Rect {
  const width = Math.min(size.width, workArea.width);
  const height = Math.min(size.height, workArea.height);
  return {
    x: workArea.x + Math.floor((workArea.width - width) / 2),
    y: workArea.y + Math.floor((workArea.height - height) / 2),
    width,
    height,
  };
}

/**
 * Fits saved bounds onto the current displays' work areas. If the title-bar
 * corner still lands on a display, the window stays there, shrunk and nudged
 * to fit that display; otherwise it is centred on the primary display.
 */
export function clampBounds(saved: Rect | null, workAreas: readonly Rect[], primary: Rect): Rect {
  if (!saved) return centeredIn(primary);
  const titleBar: Rect = { x: saved.x, y: saved.y, width: Math.min(saved.width, MIN_VISIBLE.width), height: Math.min(saved.height, MIN_VISIBLE.height) };
  let best: { area: Rect; visible: number } | null = null;
  for (const area of workAreas) {
    const o = overlap(titleBar, area);
    if (!o) continue;
    const visible = o.width * o.height;
    if (!best || visible > best.visible) best = { area, visible };
  }
  const enough = best && best.visible >= Math.min(MIN_VISIBLE.width, saved.width) * Math.min(MIN_VISIBLE.height, saved.height) * 0.5;
  if (!best || !enough) return centeredIn(primary, saved);
  const area = best.area;
  const width = Math.min(Math.max(saved.width, Math.min(MIN_SIZE.width, area.width)), area.width);
  const height = Math.min(Math.max(saved.height, Math.min(MIN_SIZE.height, area.height)), area.height);
  const x = Math.min(Math.max(saved.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(saved.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}
