// Text → QEMU key codes (US layout), for "Type clipboard text".

const PLAIN: Record<string, string> = {
  ' ': 'spc',
  '\n': 'ret',
  '\t': 'tab',
  '-': 'minus',
  '=': 'equal',
  '[': 'bracket_left',
  ']': 'bracket_right',
  '\\': 'backslash',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave_accent',
  ',': 'comma',
  '.': 'dot',
  '/': 'slash',
};

const SHIFTED: Record<string, string> = {
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: 'minus',
  '+': 'equal',
  '{': 'bracket_left',
  '}': 'bracket_right',
  '|': 'backslash',
  ':': 'semicolon',
  '"': 'apostrophe',
  '~': 'grave_accent',
  '<': 'comma',
  '>': 'dot',
  '?': 'slash',
};

/** The key combination for one character, or null when a US keyboard has no key for it. */
export function keysFor(ch: string): string[] | null {
  if (/^[a-z0-9]$/.test(ch)) return [ch];
  if (/^[A-Z]$/.test(ch)) return ['shift', ch.toLowerCase()];
  const plain = PLAIN[ch];
  if (plain) return [plain];
  const shifted = SHIFTED[ch];
  if (shifted) return ['shift', shifted];
  return null;
}

/** Text as key combinations ("\r\n" counts as one Enter); characters without a key are left out. */
export function textToKeys(text: string): { combos: string[][]; skipped: number } {
  const combos: string[][] = [];
  let skipped = 0;
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const k = keysFor(ch);
    if (k) combos.push(k);
    else skipped++;
  }
  return { combos, skipped };
}

export const SPECIAL_KEYS: Record<'ctrl-alt-delete' | 'ctrl-alt-backspace' | 'alt-tab' | 'print', string[]> = {
  'ctrl-alt-delete': ['ctrl', 'alt', 'delete'],
  'ctrl-alt-backspace': ['ctrl', 'alt', 'backspace'],
  'alt-tab': ['alt', 'tab'],
  print: ['print'],
};
