import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Build-time helpers for the electron/vite.*.config.ts files (Node, not app code).

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where Forge's vite plugin expects main, preload and host (absolute, so any cwd works). */
export const buildOutDir = resolve(projectRoot, '.vite/build');

/** Provided by Electron at run time; never bundled. Forge adds the same list; a plain `vite build` needs it too. */
export const nodeExternals = ['electron', 'electron/main', 'electron/common', 'electron/renderer', ...builtinModules.flatMap((m) => [m, `node:${m}`])];

/** Node-style resolution (ws, for one, has a "browser" entry that refuses to run). */
export const nodeResolve = { conditions: ['node'], mainFields: ['module', 'jsnext:main', 'jsnext', 'main'] };
