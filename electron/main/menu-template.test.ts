import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type MenuCommand } from '../../core/contract/bridge';
import { buildMenuTemplate, RESERVED_ACCELERATORS } from './menu-template';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe.each(['linux', 'win32', 'darwin'] as const)('application menu on %s', (platform) => {
  const sent: { cmd: MenuCommand; target: unknown }[] = [];
  const template = buildMenuTemplate({ platform, isDev: false, send: (cmd, target) => sent.push({ cmd, target }) });
  const items = flatten(template);
  const commandItems = items.filter((i) => i.id !== undefined);

  it('offers every menu command exactly once', () => {
    expect(commandItems.map((i) => i.id).sort()).toEqual([...MENU_COMMANDS].sort());
  });

  it('sends the item’s command to the window it was clicked in', () => {
    for (const item of commandItems) {
      const win = { id: item.id };
      // Electron calls click(menuItem, browserWindow, event); the test passes only what is used.
      (item.click as unknown as (i: unknown, w: unknown) => void)({}, win);
      expect(sent.at(-1)).toEqual({ cmd: item.id, target: win });
    }
    expect(sent).toHaveLength(MENU_COMMANDS.length);
  });

  it('uses each accelerator once and leaves the editing keys to the page', () => {
    const accels = items.map((i) => i.accelerator).filter((a): a is string => typeof a === 'string');
    expect(new Set(accels).size).toBe(accels.length);
    for (const a of accels) expect(RESERVED_ACCELERATORS).not.toContain(a);
    // Built-in roles bring their own: Reload is CmdOrCtrl+R, so Resume must not be plain Ctrl+R.
    expect(accels).not.toContain('CmdOrCtrl+R');
  });

  it('has no developer tools in a production build', () => {
    expect(items.some((i) => i.role === 'toggleDevTools')).toBe(false);
    const dev = flatten(buildMenuTemplate({ platform, isDev: true, send: () => {} }));
    expect(dev.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });
});

describe('menu labels', () => {
  it('follows Hyper-V Manager: File, Action, View, Help', () => {
    const labels = buildMenuTemplate({ platform: 'win32', isDev: false, send: () => {} }).map((m) => m.label?.replace(/&/g, ''));
    expect(labels).toEqual(['File', 'Action', 'View', 'Help']);
  });

  it('drops Windows mnemonics on macOS', () => {
    const items = flatten(buildMenuTemplate({ platform: 'darwin', isDev: false, send: () => {} }));
    expect(items.filter((i) => i.id !== undefined).every((i) => !i.label?.includes('&'))).toBe(true);
  });
});
