import type { EngineLifecycle } from '../../core/contract/bridge';
import { describeExit, nextRestart } from './restart-policy';

/**
 * What EngineProcess needs from Electron's UtilityProcess (so the restart
 * logic runs in unit tests with a stand-in child; Electron cannot start here).
 */
export interface EngineChild<Port> {
  postMessage(message: unknown, transfer?: Port[]): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly stdout: NodeJS.ReadableStream | null;
}

export interface EngineProcessOptions<Port> {
  /** Starts core/host (utilityProcess.fork in the app). */
  fork: () => EngineChild<Port>;
  /** Every window gets these (banner in the renderer while not 'up'). */
  onLifecycle: (state: EngineLifecycle) => void;
  onReady?: (dataDir: string) => void;
  log?: (line: string) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => () => void;
}

type Phase = 'idle' | 'starting' | 'up' | 'waiting' | 'stopped';

const STDERR_LINES = 20;

/**
 * The engine (core/host) in its own process, VS Code style: ports are handed
 * to it once it says 'ready'; if it dies it is started again with backoff,
 * and the windows are told ('restarting' with the reason, then 'up').
 * Running VMs are not affected: they are detached QEMU processes that the
 * new engine adopts.
 */
export class EngineProcess<Port> {
  private child: EngineChild<Port> | null = null;
  private phase: Phase = 'idle';
  private upSince = 0;
  private attempts = 0;
  private fatalReason: string | null = null;
  private stderrTail: string[] = [];
  private cancelTimer: (() => void) | null = null;
  private readonly queue: Port[] = [];
  private exitWaiters: (() => void)[] = [];
  private current: EngineLifecycle | null = null;

  constructor(private readonly opts: EngineProcessOptions<Port>) {}

  /** The last lifecycle sent, or null while the first start is in progress. */
  get lifecycle(): EngineLifecycle | null {
    return this.current;
  }

  get isUp(): boolean {
    return this.phase === 'up';
  }

  start(): void {
    if (this.phase === 'starting' || this.phase === 'up' || this.phase === 'stopped') return;
    this.phase = 'starting';
    this.fatalReason = null;
    this.stderrTail = [];
    let child: EngineChild<Port>;
    try {
      child = this.opts.fork();
    } catch (err) {
      this.log(`could not start: ${err instanceof Error ? err.message : String(err)}`);
      this.fatalReason = `the engine process could not be started (${err instanceof Error ? err.message : String(err)})`;
      this.onExit(null, -1);
      return;
    }
    this.child = child;
    child.on('message', (m) => this.onMessage(child, m));
    child.on('exit', (code) => this.onExit(child, code));
    this.pipe(child.stdout, false);
    this.pipe(child.stderr, true);
  }

  /** Hands a port to the engine now if it is up, else as soon as it is. */
  connect(port: Port): void {
    if (this.phase === 'up' && this.child) this.child.postMessage({ type: 'connect' }, [port]);
    else this.queue.push(port);
  }

  /** Asks the engine to close (VMs keep running), then kills it after `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.phase = 'stopped';
    this.cancelTimer?.();
    this.cancelTimer = null;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((done) => this.exitWaiters.push(done));
    child.postMessage({ type: 'shutdown' });
    if (await this.exitsWithin(exited, timeoutMs)) return;
    this.log(`did not stop within ${timeoutMs} ms; killing it`);
    child.kill();
    await this.exitsWithin(exited, 2000);
  }

  /** Waits for `exited` at most `ms`; no timer is left behind (it would hold the app open). */
  private async exitsWithin(exited: Promise<void>, ms: number): Promise<boolean> {
    let cancel: () => void = () => {};
    const timeout = new Promise<boolean>((done) => {
      cancel = (this.opts.setTimer ?? defaultTimer)(() => done(false), ms);
    });
    const result = await Promise.race([exited.then(() => true), timeout]);
    cancel();
    return result;
  }

  private onMessage(child: EngineChild<Port>, m: unknown): void {
    if (child !== this.child || typeof m !== 'object' || m === null) return;
    const msg = m as { type?: unknown; dataDir?: unknown; message?: unknown; hint?: unknown };
    if (msg.type === 'ready') {
      if (this.phase !== 'starting') return;
      this.phase = 'up';
      this.upSince = this.now();
      const dataDir = typeof msg.dataDir === 'string' ? msg.dataDir : '';
      this.log(`ready (data: ${dataDir})`);
      for (const port of this.queue.splice(0)) child.postMessage({ type: 'connect' }, [port]);
      this.opts.onReady?.(dataDir);
      this.emit({ state: 'up' });
    } else if (msg.type === 'fatal') {
      const text = typeof msg.message === 'string' ? msg.message : 'the engine could not start';
      this.fatalReason = typeof msg.hint === 'string' && msg.hint ? `${text} ${msg.hint}` : text;
      this.log(`fatal: ${this.fatalReason}`);
    }
  }

  private onExit(child: EngineChild<Port> | null, code: number): void {
    if (child !== this.child) return;
    this.child = null;
    for (const done of this.exitWaiters.splice(0)) done();
    if (this.phase === 'stopped') return;
    const upFor = this.phase === 'up' ? this.now() - this.upSince : null;
    const decision = nextRestart(this.attempts, upFor);
    this.attempts = decision.attempt;
    const reason = this.fatalReason ?? describeExit(code, this.stderrTail.at(-1));
    this.log(`exited (code ${code}); restart ${decision.attempt} in ${decision.delayMs} ms`);
    this.phase = 'waiting';
    const retry = `Retrying in ${Math.max(1, Math.round(decision.delayMs / 1000))} s.`;
    if (this.fatalReason !== null || decision.givingUp) this.emit({ state: 'failed', reason: `${reason.replace(/[.\s]+$/, '')}. ${retry}` });
    else this.emit({ state: 'restarting', reason });
    this.cancelTimer = (this.opts.setTimer ?? defaultTimer)(() => {
      this.cancelTimer = null;
      if (this.phase === 'waiting') {
        this.phase = 'idle';
        this.start();
      }
    }, decision.delayMs);
  }

  private pipe(stream: NodeJS.ReadableStream | null, isErr: boolean): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string | Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.line(line, isErr);
    });
    stream.on('end', () => {
      if (partial) this.line(partial, isErr);
      partial = '';
    });
  }

  private line(line: string, isErr: boolean): void {
    if (!line.trim()) return;
    if (isErr) {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
    }
    this.log(line);
  }

  private emit(state: EngineLifecycle): void {
    this.current = state;
    this.opts.onLifecycle(state);
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => console.log(l)))(`[engine] ${line}`);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}

function defaultTimer(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}
