import { StringDecoder } from 'node:string_decoder';
import { MAX_FRAME_BYTES } from '../contract';

/**
 * Splits a byte stream into newline-delimited text frames (the control
 * socket's framing). JSON.stringify never emits a raw newline, so a frame is
 * exactly one line. A line longer than `maxBytes` is refused rather than
 * buffered without bound.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    private readonly maxBytes: number = MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const line = this.pending + text.slice(start, nl);
      this.pending = '';
      this.emit(line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.pending += text.slice(start);
    // Characters never outnumber bytes, so this check can only be lenient by the UTF-8 factor.
    if (this.pending.length > this.maxBytes) {
      this.pending = '';
      this.onOverflow();
    }
  }

  private emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) return;
    this.onLine(line);
  }
}
