// A plain-text terminal: enough of a VT100 for a serial console log.

// CSI/OSC sequences and other escapes are dropped rather than drawn.
// eslint-disable-next-line no-control-regex -- escape sequences are what this removes
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Appends guest output: escapes removed, CR LF → LF, backspace erases, the oldest text trimmed past `max`. */
export function appendTerminal(current: string, chunk: string, max: number): string {
  let out = current;
  // eslint-disable-next-line no-control-regex -- control characters are handled one by one
  for (const part of chunk.replace(ESCAPES, '').replace(/\r\n/g, '\n').split(/(\u0008|\r|\u0007)/)) {
    if (part === '\u0008') out = out.slice(0, -1);
    else if (part === '\r' || part === '\u0007') continue;
    else out += part;
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

/** What a key press sends to the guest, or null for keys that send nothing. */
export function keyToBytes(key: string, ctrl: boolean): string | null {
  if (ctrl && key.length === 1 && /[a-z]/i.test(key)) return String.fromCharCode(key.toUpperCase().charCodeAt(0) - 64);
  switch (key) {
    case 'Enter':
      return '\r';
    case 'Backspace':
      return '\u007f';
    case 'Tab':
      return '\t';
    case 'Escape':
      return '\u001b';
    case 'ArrowUp':
      return '\u001b[A';
    case 'ArrowDown':
      return '\u001b[B';
    case 'ArrowRight':
      return '\u001b[C';
    case 'ArrowLeft':
      return '\u001b[D';
    default:
      return key.length === 1 && !ctrl ? key : null;
  }
}
