import { describe, expect, it } from 'vitest';
import { centeredIn, clampBounds, DEFAULT_SIZE, parseWindowState, serializeWindowState, type Rect } from './window-state';

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('clampBounds', () => {
  it('centres a default-size window on the primary display when nothing is saved', () => {
    expect(clampBounds(null, [primary], primary)).toEqual({ x: 320, y: 120, ...DEFAULT_SIZE });
  });

  it('keeps a window that fits where it was', () => {
    const saved = { x: 100, y: 50, width: 1200, height: 700 };
    expect(clampBounds(saved, [primary, right], primary)).toEqual(saved);
  });

  it('keeps a window on a secondary display', () => {
    const saved = { x: 2000, y: 100, width: 1600, height: 900 };
    expect(clampBounds(saved, [primary, right], primary)).toEqual(saved);
  });

  it('recentres on the primary display when the saved display is gone', () => {
    const saved = { x: 2000, y: 100, width: 1600, height: 900 };
    expect(clampBounds(saved, [primary], primary)).toEqual(centeredIn(primary, saved));
  });

  it('shrinks and nudges a window larger than its display', () => {
    const saved = { x: -50, y: -20, width: 3000, height: 2000 };
    expect(clampBounds(saved, [primary], primary)).toEqual(primary);
  });

  it('pulls a window hanging off the bottom-right edge back on screen', () => {
    const saved = { x: 1800, y: 1000, width: 1000, height: 600 };
    expect(clampBounds(saved, [primary], primary)).toEqual({ x: 920, y: 440, width: 1000, height: 600 });
  });

  it('moves a window whose title bar is above the top of every display', () => {
    const saved = { x: 100, y: -500, width: 1000, height: 600 };
    expect(clampBounds(saved, [primary], primary)).toEqual(centeredIn(primary, saved));
  });

  it('grows a tiny saved window to the minimum size', () => {
    expect(clampBounds({ x: 10, y: 10, width: 50, height: 40 }, [primary], primary)).toEqual({ x: 10, y: 10, width: 800, height: 500 });
  });

  it('never exceeds a display smaller than the minimum size', () => {
    const small: Rect = { x: 0, y: 0, width: 640, height: 480 };
    expect(clampBounds({ x: 0, y: 0, width: 1280, height: 800 }, [small], small)).toEqual(small);
    expect(clampBounds(null, [small], small)).toEqual(small);
  });

  it('handles displays at negative coordinates (a monitor left of the primary)', () => {
    const left: Rect = { x: -1600, y: 0, width: 1600, height: 900 };
    const saved = { x: -1500, y: 40, width: 1000, height: 700 };
    expect(clampBounds(saved, [left, primary], primary)).toEqual(saved);
  });
});

describe('parseWindowState', () => {
  it('round-trips', () => {
    const s = { bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: true };
    expect(parseWindowState(serializeWindowState(s))).toEqual(s);
  });

  it.each(['', '{', 'null', '[]', '{"bounds":null}', '{"bounds":{"x":0,"y":0,"width":0,"height":10}}', '{"bounds":{"x":"0","y":0,"width":10,"height":10}}', '{"bounds":{"x":1e300,"y":0,"width":10,"height":10}}'])(
    'treats %j as nothing saved',
    (json) => {
      expect(parseWindowState(json)).toBeNull();
    },
  );

  it('reads a missing maximized flag as false and rounds fractions', () => {
    expect(parseWindowState('{"bounds":{"x":0.4,"y":0,"width":900.6,"height":600}}')).toEqual({ bounds: { x: 0, y: 0, width: 901, height: 600 }, maximized: false });
  });
});
