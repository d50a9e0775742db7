#!/usr/bin/env node
// `npm start`: the desktop console (electron-forge start) where an Electron
// binary and a display exist; otherwise the engine plus the web console,
// with one URL (token included) to open in a browser. `npm start -- --web`
// asks for the web console anyway; other arguments go to the Electron app
// (e.g. `npm start -- --data /tmp/vms`).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinary, hasDisplay } from '../electron/launch-env.mjs';
import { buildWebConsoleIfStale } from './build-web.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const wantWeb = argv.includes('--web');
const appArgs = argv.filter((a) => a !== '--web');
const DEFAULT_PORT = 8446;

const binary = electronBinary(root);
const display = hasDisplay();

if (binary && display && !wantWeb) {
  // Chromium refuses to run as root without this; only ever in a development launch.
  const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
  if (asRoot) console.log('Running as root: starting Electron with --no-sandbox (development only).');
  const forge = join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js');
  const extra = [...appArgs, ...(asRoot ? ['--no-sandbox'] : [])];
  const child = spawn(process.execPath, [forge, 'start', ...(extra.length ? ['--', ...extra] : [])], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const missing = [!display && 'display', !binary && 'Electron binary'].filter(Boolean).join('/');
  console.log(wantWeb ? 'Serving the console in your browser (--web).' : `No ${missing}: serving the console in your browser instead.`);
  await webConsole();
}

function portIsFree(port) {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

async function choosePort() {
  const env = process.env.VIRIDIAN_PORT;
  if (env !== undefined && env !== '') {
    const port = Number(env);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`VIRIDIAN_PORT=${env} is not a port number (0–65535; 0 picks a free one).`);
      process.exit(2);
    }
    return port;
  }
  return (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : 0;
}

async function webConsole() {
  if (!buildWebConsoleIfStale()) {
    console.error('The web console did not build (see above). Fix the error, then run `npm start` again.');
    process.exit(1);
  }
  const port = await choosePort();
  // The engine runs from the TypeScript sources through tsx, like bin/viridian.mjs.
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: join(root, 'core', 'tsconfig.json') });
  const { runHost } = await import(pathToFileURL(join(root, 'core', 'host', 'main.ts')).href);
  const { defaultDataDir } = await import(pathToFileURL(join(root, 'core', 'common', 'paths.ts')).href);
  const lines = [];
  let host;
  try {
    host = await runHost({
      dataDir: defaultDataDir(),
      listen: { host: '127.0.0.1', port },
      web: { staticDir: join(root, 'renderer', 'dist') },
      printToken: false,
      log: (line) => lines.push(line),
    });
  } catch (err) {
    console.error(`Could not start the engine: ${err?.message ?? err}${err?.hint ? `\n  Fix: ${err.hint}` : ''}`);
    process.exit(1);
  }
  console.log(`\n  Viridian console: ${host.consoleUrl}\n`);
  console.log(`Engine data: ${host.dataDir}. Press Ctrl+C to stop (running VMs keep running).`);
  const stop = async () => {
    // A second Ctrl+C while closing means "now".
    process.once('SIGINT', () => process.exit(130));
    await host.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
