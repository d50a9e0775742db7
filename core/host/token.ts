import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ViridianError } from '../contract';

export const TOKEN_FILE = 'host-token';
const TOKEN_RE = /^[A-Za-z0-9_-]{32,256}$/;

export function tokenPath(dataDir: string): string {
  return join(dataDir, TOKEN_FILE);
}

/**
 * The WebSocket service's shared secret: 32 random bytes, base64url, kept in
 * `<dataDir>/host-token` (0600) so it survives restarts like Jupyter's.
 */
export async function loadOrCreateToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const file = tokenPath(dataDir);
  const existing = await readToken(file);
  if (existing !== null) return { token: existing, created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  try {
    // 'wx': two hosts racing to create it both end up with the same winner's token.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const winner = await readToken(file);
      if (winner !== null) return { token: winner, created: false };
    }
    throw new ViridianError('INTERNAL', `Could not write the host token ${file}: ${(err as Error).message}`, 'Check that the data directory is writable.');
  }
}

async function readToken(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ViridianError('INTERNAL', `Could not read the host token ${file}: ${(err as Error).message}`, 'Check the file permissions of the data directory.');
  }
  const token = text.trim();
  if (!TOKEN_RE.test(token)) {
    throw new ViridianError('CONFIG_CORRUPT', `The host token file ${file} does not hold a valid token.`, 'Delete it; a new token is created on the next start.');
  }
  if (process.platform !== 'win32') {
    // Someone may have copied it around with a lax umask; a readable secret is no secret.
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) await chmod(file, 0o600);
  }
  return token;
}

/** Constant-time comparison; hashing first hides the length as well. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
