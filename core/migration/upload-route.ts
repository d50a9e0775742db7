import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ViridianError, toErrorInfo, type ErrorInfo } from '../contract';
import type { EngineContext } from '../engine/context';
import type { ApiRoute } from '../host/web-server';
import { MAX_CHUNK_BYTES, incomingFor } from './incoming';

export const UPLOAD_PREFIX = '/api/migration/';
export const CHUNK_SHA_HEADER = 'x-viridian-sha256';

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function statusFor(info: ErrorInfo): number {
  switch (info.code) {
    case 'NO_SPACE':
      return 507;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_STATE':
      return 409;
    case 'INVALID_INPUT':
    case 'PROTOCOL':
      return 400;
    default:
      return 500;
  }
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((done, fail) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.destroy();
        fail(new ViridianError('INVALID_INPUT', `A chunk may carry at most ${max} bytes.`));
        return;
      }
      parts.push(c);
    });
    req.once('end', () => done(Buffer.concat(parts, size)));
    req.once('error', fail);
    req.once('aborted', () => fail(new ViridianError('PROTOCOL', 'The upload was cut off.')));
  });
}

/**
 * `PUT /api/migration/<incomingId>/<fileId>?offset=N` with a chunk of a file
 * (optionally its SHA-256 in X-Viridian-Sha256), or `?offset=N&zero=LEN` with no body for
 * a run of zeros. Behind the host token like the rest of /api.
 */
export function migrationUploadRoute(ctx: EngineContext): ApiRoute {
  return {
    prefix: UPLOAD_PREFIX,
    async handle(req, res, url) {
      if (req.method !== 'PUT') {
        res.setHeader('Allow', 'PUT');
        return answer(res, 405, { error: { code: 'INVALID_INPUT', message: 'Use PUT.' } });
      }
      const m = /^\/api\/migration\/([0-9a-f-]{36})\/(f\d{1,3}|state)$/.exec(url.pathname);
      const offset = Number(url.searchParams.get('offset'));
      const zeroParam = url.searchParams.get('zero');
      const zero = zeroParam === null ? 0 : Number(zeroParam);
      try {
        if (!m || !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(zero) || zero < 0 || zero > MAX_CHUNK_BYTES) {
          throw new ViridianError('INVALID_INPUT', 'Malformed upload request.');
        }
        const [, incomingId = '', fileId = ''] = m;
        const manager = incomingFor(ctx);
        manager.get(incomingId);
        let data: Buffer | null = null;
        if (zeroParam === null) {
          data = await readBody(req, MAX_CHUNK_BYTES);
          // An optional per-chunk check (the whole file's SHA-256 is always compared at the end).
          const want = req.headers[CHUNK_SHA_HEADER];
          if (typeof want === 'string' && createHash('sha256').update(data).digest('hex') !== want) {
            throw new ViridianError('PROTOCOL', 'A chunk arrived damaged (checksum mismatch).', 'Send it again.');
          }
        } else {
          req.resume();
        }
        const received = await manager.chunk(incomingId, fileId, offset, data, zero);
        answer(res, 200, { received });
      } catch (err) {
        let info = toErrorInfo(err);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT') {
          info = { code: 'NO_SPACE', message: `${ctx.host().hostname} ran out of disk space in ${ctx.dataDir}.`, hint: 'Free space on the target, or use shared storage or live migration.' };
        }
        if (!res.headersSent) answer(res, statusFor(info), { error: info });
      }
    },
  };
}
