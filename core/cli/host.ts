import { InvalidArgumentError, type Command } from 'commander';
import { ViridianError } from '../contract';
import { defaultStaticDir, parseListen, runHost } from '../host/main';
import type { CliContext, CommonOptions } from './main';

function listenArg(value: string): { host: string; port: number } {
  try {
    return parseListen(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof ViridianError ? `${err.message} ${err.hint ?? ''}`.trim() : String(err));
  }
}

/** Resolves on SIGINT/SIGTERM or when the caller's signal aborts. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      signal?.removeEventListener('abort', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (signal?.aborted) finish();
    else signal?.addEventListener('abort', finish, { once: true });
  });
}

export function registerHost(program: Command, ctx: CliContext): void {
  ctx
    .common(
      program
        .command('host')
        .description('run the engine in the foreground ("Server Core" mode): the CLI and the desktop app connect to it; with --listen also the WebSocket service and the web console'),
    )
    .option('--listen <ADDR:PORT>', 'also serve the WebSocket API (and the built web console) here, e.g. 127.0.0.1:8080; port 0 picks a free one', listenArg)
    .action((opts: CommonOptions & { listen?: { host: string; port: number } }) =>
      ctx.run(opts, async (out, dataDir) => {
        const staticDir = opts.listen ? defaultStaticDir() : null;
        const host = await runHost({
          dataDir,
          ...(opts.listen ? { listen: opts.listen } : {}),
          ...(staticDir ? { web: { staticDir } } : {}),
          log: out.json ? () => {} : (line) => out.line(line),
        });
        if (out.json) {
          out.doc({
            dataDir: host.dataDir,
            controlSocket: host.controlSocket,
            url: host.url,
            wsUrl: host.wsUrl,
            // Like the human output: the secret is shown on the run that created it.
            ...(host.tokenCreated ? { token: host.token, consoleUrl: host.consoleUrl } : {}),
          });
        }
        out.note('Host running. Press Ctrl+C to stop; running VMs keep running.');
        await untilStopped(ctx.io.signal);
        await host.close();
        return 0;
      }),
    );
}
