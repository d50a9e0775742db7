#!/usr/bin/env node
// Builds what Forge's vite plugin builds (.vite/build/{main,preload,host}.cjs
// and .vite/renderer/main_window/) without packaging: for the Electron launch
// test, for electron-builder, and to check the bundles on machines without an
// Electron binary. `electron-forge package|make|start` do this themselves.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configs = ['vite.main.config.ts', 'vite.preload.config.ts', 'vite.host.config.ts', 'vite.renderer.config.ts'];

rmSync(join(root, '.vite'), { recursive: true, force: true });
for (const config of configs) {
  await build({ configFile: join(root, 'electron', config), mode: 'production', logLevel: 'warn' });
}
console.log('built .vite/build (main.cjs, preload.cjs, host.cjs) and .vite/renderer/main_window');
