import { EngineClient, TERMINAL_JOB_STATES, ViridianError, type Job, type Transport } from '../contract';
import { connectControlSocket } from '../host/control-socket';
import { Dispatcher, type Peer } from '../host/dispatch';

export interface Session {
  readonly client: EngineClient;
  /** 'host': a running engine answered its control socket; 'local': opened in this process. */
  readonly mode: 'host' | 'local';
  close(): Promise<void>;
}

/**
 * The in-process engine is reached through the same Dispatcher as a socket
 * peer, so a command validates and behaves the same either way.
 */
function inProcessTransport(dispatcher: Dispatcher): Transport {
  const messageListeners: ((text: string) => void)[] = [];
  const closeListeners: ((reason: string) => void)[] = [];
  let closed = false;
  const peer: Peer = {
    send(text) {
      // Asynchronous like a real pipe, so no answer overtakes its own request.
      queueMicrotask(() => {
        if (!closed) for (const l of messageListeners) l(text);
      });
    },
  };
  return {
    send(text) {
      void dispatcher.handle(peer, text);
    },
    onMessage(cb) {
      messageListeners.push(cb);
    },
    onClose(cb) {
      closeListeners.push(cb);
    },
    close() {
      if (closed) return;
      closed = true;
      dispatcher.detach(peer);
      for (const l of closeListeners) l('closed by client');
    },
  };
}

const LOCKED_RETRY_MS = 3000;

/**
 * Talks to the host that owns `dataDir` when one answers; otherwise opens the
 * engine here for this one command (VMs it starts are detached QEMU processes
 * and keep running after the command exits).
 */
export async function openSession(dataDir: string): Promise<Session> {
  const remote = await connectControlSocket(dataDir);
  if (remote) return hostSession(remote, dataDir);

  const { openEngine } = await import('../engine/engine');
  let engine;
  try {
    engine = await openEngine({ dataDir });
  } catch (err) {
    if (!(err instanceof ViridianError) || err.code !== 'DATA_DIR_LOCKED') throw err;
    // A host holds the lock but its socket did not answer yet (it may be starting).
    const deadline = Date.now() + LOCKED_RETRY_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const t = await connectControlSocket(dataDir);
      if (t) return hostSession(t, dataDir);
    }
    throw err;
  }
  const dispatcher = new Dispatcher(engine);
  const client = new EngineClient(inProcessTransport(dispatcher));
  const opened = engine;
  return {
    client,
    mode: 'local',
    async close() {
      client.close();
      dispatcher.dispose();
      await opened.close();
    },
  };
}

/** Runs `fn` with a client to the engine of `dataDir`, then closes the session. */
export async function withClient<T>(dataDir: string, fn: (client: EngineClient) => Promise<T>): Promise<T> {
  const session = await openSession(dataDir);
  try {
    return await fn(session.client);
  } finally {
    await session.close();
  }
}

const HOST_ANSWER_MS = 10_000;

/** A host that accepts but never answers would hang every command; find out at once. */
async function hostSession(transport: Transport, dataDir: string): Promise<Session> {
  const client = new EngineClient(transport);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.call('host.info', {}),
      new Promise((_, fail) => {
        timer = setTimeout(
          () => fail(new ViridianError('TIMEOUT', `The host serving ${dataDir} accepted a connection but did not answer within ${HOST_ANSWER_MS / 1000} s.`, 'Check the host process (viridian host or the desktop app); restart it if it is stuck.')),
          HOST_ANSWER_MS,
        );
      }),
    ]);
  } catch (err) {
    client.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    client,
    mode: 'host',
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

/** Follows a job to its end (job.wait returns early at its timeout; ask again). */
export async function waitForJob(client: EngineClient, job: Job): Promise<Job> {
  let current = job;
  while (!TERMINAL_JOB_STATES.includes(current.state)) {
    try {
      current = await client.call('job.wait', { id: current.id, timeoutMs: 600_000 });
    } catch (err) {
      if (err instanceof ViridianError && err.code === 'TIMEOUT') continue;
      throw err;
    }
  }
  return current;
}
