// Builds the web console (renderer/dist) when it is missing or older than its
// sources. Shared by `npm start`, `npm test` (e2e opens it) and `npm run build:web`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['renderer/src', 'renderer/index.html', 'renderer/bench.html', 'renderer/vite.config.ts', 'core/contract', 'package-lock.json'];

/** Newest modification time under `p` (a file or a folder tree), tests left out. */
function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.endsWith('.test.ts') && !e.endsWith('.test.tsx')) t = Math.max(t, newest(join(p, e)));
  return t;
}

/** True when renderer/dist is present and up to date (built now if it was not). */
export function buildWebConsoleIfStale({ force = false } = {}) {
  const built = join(root, 'renderer', 'dist', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (!force && builtAt > 0 && Math.max(...SOURCES.map((p) => newest(join(root, p)))) <= builtAt) return true;
  console.log(builtAt > 0 ? 'The web console is out of date; building it…' : 'Building the web console…');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '-c', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(buildWebConsoleIfStale({ force: process.argv.includes('--force') }) ? 0 : 1);
}
