import { InvalidArgumentError, type Command } from 'commander';
import { ViridianError } from '../contract';
import type { RemoteHost } from '../contract/protocol-migration';
import { defaultStaticDir, parseListen, runHost } from '../host/main';
import type { CliContext, CommonOptions } from './main';
import { table, type Output } from './output';
import { withClient } from './session';

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

function hostLine(h: RemoteHost): string {
  const name = h.info?.hostname ? ` (${h.info.hostname})` : '';
  const tls = h.tlsFingerprint ? `TLS, certificate SHA-256 ${h.tlsFingerprint}` : 'no TLS';
  return `${h.address}${name}: ${h.connection}, ${h.vms.length} VM${h.vms.length === 1 ? '' : 's'}, ${tls}`;
}

/** Without the token: a remote host as --json prints it. */
function flattenHost(h: RemoteHost) {
  return {
    id: h.id,
    address: h.address,
    hostname: h.info?.hostname ?? null,
    connection: h.connection,
    error: h.error,
    tlsFingerprint: h.tlsFingerprint,
    vms: h.vms.map((v) => ({ id: v.id, name: v.name, state: v.status.state })),
    addedAt: h.addedAt,
  };
}

/**
 * `host` itself takes --data and --json, so commander hands them to it even
 * when they follow `add`/`list`/`remove`: read the options of both.
 */
function withGlobals<T>(cmd: Command): CommonOptions & T {
  return cmd.optsWithGlobals<CommonOptions & T>();
}

interface HostOptions extends CommonOptions {
  listen?: { host: string; port: number };
  tlsCert?: string;
  tlsKey?: string;
}

export function registerHost(program: Command, ctx: CliContext): void {
  const hostCmd = ctx
    .common(
      program
        .command('host')
        .description('run the engine in the foreground ("Server Core" mode): the CLI and the desktop app connect to it; with --listen also the WebSocket service and the web console. `host add|list|remove` manage the servers this console connects to'),
    )
    .option('--listen <ADDR:PORT>', 'also serve the WebSocket API (and the built web console) here, e.g. 127.0.0.1:8080; port 0 picks a free one', listenArg)
    .option('--tls-cert <PEM>', 'serve TLS with this certificate (with --tls-key); print its fingerprint for `host add --fingerprint`')
    .option('--tls-key <PEM>', 'private key of --tls-cert');
  hostCmd.action((opts: HostOptions) =>
    ctx.run(opts, async (out, dataDir) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) ctx.usage(hostCmd, 'TLS needs both --tls-cert and --tls-key.');
      if (opts.tlsCert !== undefined && !opts.listen) ctx.usage(hostCmd, '--tls-cert and --tls-key go with --listen ADDR:PORT.');
      const staticDir = opts.listen ? defaultStaticDir() : null;
      if (opts.listen && !staticDir && !out.json) out.line('web console: not built in this checkout, so only the API is served (build it with `npm run build:web`)');
      const host = await runHost({
        dataDir,
        ...(opts.listen ? { listen: opts.listen } : {}),
        ...(staticDir ? { web: { staticDir } } : {}),
        ...(opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { tls: { cert: ctx.abs(opts.tlsCert), key: ctx.abs(opts.tlsKey) } } : {}),
        log: out.json ? () => {} : (line) => out.line(line),
      });
      if (out.json) {
        out.doc({
          dataDir: host.dataDir,
          controlSocket: host.controlSocket,
          url: host.url,
          wsUrl: host.wsUrl,
          tlsFingerprint: host.tlsFingerprint,
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

  ctx
    .common(
      hostCmd
        .command('add')
        .description('remember a remote server (its `viridian host --listen` address and token) so this console and `vm migrate --to` can use it')
        .argument('<ADDR:PORT>', 'the server’s --listen address, e.g. 192.168.1.20:8443'),
    )
    .requiredOption('--token <T>', 'the token the server printed on its first run (its data dir’s host-token)')
    .option('--fingerprint <SHA256>', 'the server’s TLS certificate fingerprint as it printed it; refuse any other certificate')
    .action((address: string, _o: unknown, cmd: Command) => {
      const opts = withGlobals<{ token: string; fingerprint?: string }>(cmd);
      return ctx.run(opts, (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const h = await c.call('hosts.add', { address, token: opts.token, ...(opts.fingerprint !== undefined ? { fingerprint: opts.fingerprint } : {}) });
          if (out.json) out.doc(flattenHost(h));
          else {
            out.line(`Added ${hostLine(h)}.`);
            if (h.tlsFingerprint && opts.fingerprint === undefined) out.note('The certificate was trusted on first use; compare its fingerprint with the one the server printed.');
            if (!h.tlsFingerprint && !/^(127\.|localhost:|\[::1\])/.test(h.address)) out.note('warning: this server does not use TLS; the token crosses the network in clear text.');
          }
          return 0;
        }),
      );
    });

  ctx
    .common(hostCmd.command('list').description('list the remembered remote servers and whether they answer'))
    .action((_o: unknown, cmd: Command) =>
      ctx.run(withGlobals(cmd), (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const hosts = await c.call('hosts.list', {});
          // Give fresh connections a moment so the list says more than "connecting".
          const deadline = Date.now() + 3000;
          let current = hosts;
          while (current.some((h) => h.connection === 'connecting') && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
            current = await c.call('hosts.list', {});
          }
          if (out.json) out.doc(current.map(flattenHost));
          else if (current.length === 0) out.line('No remote servers. Add one with: viridian host add ADDR:PORT --token TOKEN');
          else {
            out.line(
              table(
                ['Address', 'Host name', 'Connection', 'VMs', 'TLS'],
                current.map((h) => [h.address, h.info?.hostname ?? '', h.connection, String(h.vms.length), h.tlsFingerprint ? 'yes' : 'no']),
              ),
            );
          }
          return 0;
        }),
      ),
    );

  ctx
    .common(hostCmd.command('remove').description('forget a remote server (and its token)').argument('<ADDR:PORT>', 'address or id of the server'))
    .action((address: string, _o: unknown, cmd: Command) =>
      ctx.run(withGlobals(cmd), (out, dataDir) =>
        withClient(dataDir, async (c) => {
          const r = await c.call('hosts.remove', { host: address });
          return report(out, r.removed, address, r);
        }),
      ),
    );
}

function report(out: Output, removed: boolean, address: string, doc: unknown): number {
  if (!removed) {
    out.error({ code: 'NOT_FOUND', message: `No server ${address} is remembered here.`, hint: 'Run viridian host list to see them.' });
    return 1;
  }
  if (out.json) out.doc(doc);
  else out.line(`Removed ${address}.`);
  return 0;
}
