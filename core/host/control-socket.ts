import { createHash } from 'node:crypto';
import { chmodSync, lstatSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAX_FRAME_BYTES, ViridianError, type Transport } from '../contract';
import type { Dispatcher, Peer } from './dispatch';
import { LineSplitter } from './frames';

export const CONTROL_SOCKET_FILE = 'control.sock';
/** sun_path is 108 bytes on Linux and 104 on macOS, NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;
/** A peer that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * MAX_FRAME_BYTES;

function dataDirHash(dataDir: string): string {
  const key = process.platform === 'win32' ? resolve(dataDir).toLowerCase() : resolve(dataDir);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Where the control socket of the engine owning `dataDir` listens:
 * `<dataDir>/control.sock`, a named pipe on Windows, or (when the data dir's
 * path is too long for a unix socket) a per-data-dir name in the temp dir.
 */
export function controlSocketPath(dataDir: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\viridian-${dataDirHash(dataDir)}`;
  const inDir = join(resolve(dataDir), CONTROL_SOCKET_FILE);
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH_BYTES) return inDir;
  return join(tmpdir(), `viridian-${dataDirHash(dataDir)}.sock`);
}

function isInDataDir(dataDir: string, path: string): boolean {
  return path === join(resolve(dataDir), CONTROL_SOCKET_FILE);
}

/** Resolves true when something accepts a connection on `path`. */
function probe(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Serves the dispatcher on a local socket: newline-delimited JSON, one
 * Dispatcher peer per connection. Access is the file mode (0600): only the
 * user who runs the engine may connect.
 */
export async function startControlSocket(dataDir: string, dispatcher: Dispatcher): Promise<ControlServer> {
  const path = controlSocketPath(dataDir);
  if (process.platform !== 'win32') await clearStaleSocket(path);

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    servePeer(socket, dispatcher);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, path);
  let inode: number | null = null;
  if (process.platform !== 'win32') {
    chmodSync(path, 0o600);
    inode = lstatSync(path).ino;
  }

  let closing: Promise<void> | null = null;
  return {
    path,
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
      }).then(async () => {
        // Only remove the file if it is still ours (a successor may have bound the path).
        if (inode === null) return;
        try {
          if ((await lstat(path)).ino === inode) await unlink(path);
        } catch {
          /* already gone */
        }
      });
      return closing;
    },
  };
}

async function clearStaleSocket(path: string): Promise<void> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) {
    throw new ViridianError('INVALID_STATE', `${path} exists and is not a socket, so the control socket cannot be created there.`, 'Move that file out of the way and start the host again.');
  }
  if (await probe(path)) {
    throw new ViridianError('DATA_DIR_LOCKED', `Another Viridian host already answers on ${path}.`, 'Stop the other host (or use it: the CLI connects to it automatically).');
  }
  // Left behind by a host that crashed: nobody answers, so it is safe to remove.
  await unlink(path);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    // The socket file is created inside listen(); a tight umask means it is never
    // connectable by others, even for the instant before the chmod below.
    let restore: number | null = null;
    try {
      restore = process.umask(0o177);
    } catch {
      /* worker threads cannot change the umask; the chmod still applies */
    }
    try {
      server.listen(path, () => {
        server.off('error', fail);
        done();
      });
    } finally {
      if (restore !== null) process.umask(restore);
    }
  });
}

function servePeer(socket: Socket, dispatcher: Dispatcher): void {
  const peer: Peer = {
    send(text) {
      if (socket.destroyed || !socket.writable) return;
      if (socket.writableLength > MAX_BUFFERED_BYTES) {
        socket.destroy();
        return;
      }
      socket.write(`${text}\n`);
    },
  };
  const splitter = new LineSplitter(
    (line) => {
      dispatcher.handle(peer, line).catch(() => socket.destroy());
    },
    () => {
      peer.send(JSON.stringify({ t: 'err', id: null, code: 'PROTOCOL', message: `A frame is over the ${MAX_FRAME_BYTES}-byte limit; closing the connection.` }));
      socket.end();
    },
  );
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('error', () => socket.destroy());
  socket.once('close', () => dispatcher.detach(peer));
}

/**
 * A Transport to the engine that owns `dataDir`, over its control socket;
 * null when nothing listens there (no host running).
 */
export async function connectControlSocket(dataDir: string): Promise<Transport | null> {
  const path = controlSocketPath(dataDir);
  if (process.platform !== 'win32' && !isInDataDir(dataDir, path)) {
    // The temp-dir fallback is shared ground: only trust a socket we own.
    try {
      const st = await lstat(path);
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return null;
    } catch {
      return null;
    }
  }
  const socket = await new Promise<Socket | null>((done, fail) => {
    const s = connect(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      done(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      s.destroy();
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') done(null);
      else if (err.code === 'EACCES' || err.code === 'EPERM') {
        fail(new ViridianError('UNAUTHORIZED', `The engine's control socket ${path} belongs to another user.`, 'Run the command as the user who runs the host, or pass --data for your own data directory.'));
      } else fail(new ViridianError('PROTOCOL', `Could not connect to the engine at ${path}: ${err.message}`));
    });
  });
  return socket ? socketTransport(socket) : null;
}

function socketTransport(socket: Socket): Transport {
  const messageListeners: ((text: string) => void)[] = [];
  const closeListeners: ((reason: string) => void)[] = [];
  let closedReason: string | null = null;
  const finish = (reason: string) => {
    if (closedReason !== null) return;
    closedReason = reason;
    socket.destroy();
    for (const l of closeListeners) l(reason);
  };
  const splitter = new LineSplitter(
    (line) => {
      for (const l of messageListeners) l(line);
    },
    () => finish('the engine sent a frame over the size limit'),
  );
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('error', (err) => finish(err.message));
  socket.on('close', () => finish('the engine closed the connection'));
  return {
    send(text) {
      if (closedReason !== null) throw new Error(closedReason);
      socket.write(`${text}\n`);
    },
    onMessage(cb) {
      messageListeners.push(cb);
    },
    onClose(cb) {
      if (closedReason !== null) cb(closedReason);
      else closeListeners.push(cb);
    },
    close() {
      finish('closed by client');
    },
  };
}
