import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ViridianError, type ErrorInfo } from '../contract';
import { pinnedTlsOptions } from '../host/ws-client';
import { splitAddress } from '../remote/address';
import type { HostRecord } from '../remote/hosts-file';
import { UPLOAD_PREFIX } from './upload-route';

/** Big enough that per-request overhead vanishes, small enough to hold in memory and to retry. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 60_000;

export interface UploadTarget {
  record: HostRecord;
  incomingId: string;
}

export interface UploadResult {
  /** Bytes that crossed the wire (runs of zeros are announced, not sent). */
  sentBytes: number;
  fileBytes: number;
  sha256: string;
}

function isZero(buf: Buffer): boolean {
  // Compare 8 bytes at a time where the alignment allows.
  const n = buf.length;
  let i = 0;
  if (buf.byteOffset % 8 === 0) {
    const words = new BigUint64Array(buf.buffer, buf.byteOffset, Math.floor(n / 8));
    for (; i < words.length; i++) if (words[i] !== 0n) return false;
    i *= 8;
  }
  for (; i < n; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Streams one file to the target's upload endpoint in chunks: zero runs sent
 * as holes, the next chunk read while one is on the wire,
 * progress after every chunk; the whole file's SHA-256 is compared at the end
 * (migration.incomingFileDone).
 */
export class Uploader {
  private readonly agent: HttpAgent;
  private readonly base: { host: string; port: number; tls: boolean };

  constructor(private readonly target: UploadTarget) {
    const { host, port } = splitAddress(target.record.address);
    this.base = { host, port, tls: target.record.tls !== null };
    this.agent = target.record.tls ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ...pinnedTlsOptions(target.record.tls) }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  close(): void {
    this.agent.destroy();
  }

  async upload(fileId: string, path: string, label: string, signal: AbortSignal, onProgress: (fileSent: number, wireBytes: number) => void): Promise<UploadResult> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const hash = createHash('sha256');
      // Two buffers: the next chunk is read and hashed while the previous one is on the wire.
      const bufs = [Buffer.alloc(CHUNK_BYTES), Buffer.alloc(CHUNK_BYTES)];
      const readAt = async (offset: number, buf: Buffer): Promise<Buffer> => {
        const want = Math.min(CHUNK_BYTES, size - offset);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        const chunk = buf.subarray(0, got);
        hash.update(chunk);
        return chunk;
      };
      let offset = 0;
      let sent = 0;
      let turn = 0;
      let next: Promise<Buffer> | null = size > 0 ? readAt(0, bufs[0] as Buffer) : null;
      while (next) {
        if (signal.aborted) throw new ViridianError('CANCELLED', 'The migration was cancelled.');
        const chunk = await next;
        if (chunk.length === 0) break;
        const after = offset + chunk.length;
        turn ^= 1;
        next = after < size ? readAt(after, bufs[turn] as Buffer) : null;
        if (isZero(chunk)) {
          await this.put(fileId, `offset=${offset}&zero=${chunk.length}`, null, label, signal);
        } else {
          await this.put(fileId, `offset=${offset}`, chunk, label, signal);
          sent += chunk.length;
        }
        offset = after;
        onProgress(offset, sent);
      }
      return { sentBytes: sent, fileBytes: offset, sha256: hash.digest('hex') };
    } finally {
      await fh.close();
    }
  }

  private put(fileId: string, query: string, body: Buffer | null, label: string, signal: AbortSignal): Promise<void> {
    const { host, port, tls } = this.base;
    const path = `${UPLOAD_PREFIX}${this.target.incomingId}/${fileId}?${query}`;
    const headers: Record<string, string | number> = {
      Authorization: `Bearer ${this.target.record.token}`,
      'Content-Length': body ? body.length : 0,
      'Content-Type': 'application/octet-stream',
    };
    return new Promise((done, fail) => {
      const req = (tls ? httpsRequest : httpRequest)({ host, port, path, method: 'PUT', headers, agent: this.agent, signal, timeout: REQUEST_TIMEOUT_MS });
      req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (signal.aborted) return fail(new ViridianError('CANCELLED', 'The migration was cancelled.'));
        fail(new ViridianError('PROTOCOL', `The target ${this.target.record.address} stopped answering while receiving ${label}: ${err.code ?? err.message}.`, 'Check that the target host service runs; the VM stays on this host.'));
      });
      req.on('response', (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode === 200) return done();
          let info: ErrorInfo | undefined;
          try {
            info = (JSON.parse(text) as { error?: ErrorInfo }).error;
          } catch {
            /* not ours */
          }
          if (res.statusCode === 401) return fail(new ViridianError('UNAUTHORIZED', `The target ${this.target.record.address} refused the token.`, 'Add the host again with its current token (viridian host add).'));
          if (info) return fail(new ViridianError(info.code, info.code === 'NO_SPACE' && !info.message.includes('while receiving') ? `${info.message} (while receiving ${label})` : info.message, info.hint));
          fail(new ViridianError('PROTOCOL', `The target ${this.target.record.address} answered HTTP ${res.statusCode ?? 0} while receiving ${label}.`));
        });
      });
      req.end(body ?? undefined);
    });
  }
}
