import { describe, expect, it } from 'vitest';
import { appendTerminal, keyToBytes } from './terminal-text';

describe('serial console text', () => {
  it('drops escape sequences, joins CR LF, applies backspace and trims the oldest text', () => {
    expect(appendTerminal('', '\u001b[1;32mok\u001b[0m\r\nnext\r\n', 100)).toBe('ok\nnext\n');
    expect(appendTerminal('abc', 'd\u0008\u0008x', 100)).toBe('abx');
    expect(appendTerminal('12345', '678', 4)).toBe('5678');
    expect(appendTerminal('', '\u001b]0;title\u0007prompt$ ', 100)).toBe('prompt$ ');
  });

  it('turns keys into what a terminal sends', () => {
    expect(keyToBytes('a', false)).toBe('a');
    expect(keyToBytes('c', true)).toBe('\u0003');
    expect(keyToBytes('Enter', false)).toBe('\r');
    expect(keyToBytes('ArrowUp', false)).toBe('\u001b[A');
    expect(keyToBytes('Shift', false)).toBeNull();
  });
});
