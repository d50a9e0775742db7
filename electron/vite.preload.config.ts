import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { buildOutDir, nodeExternals, projectRoot } from './vite.shared.ts';

const pkg = JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')) as { version: string };

/**
 * The preload, one CommonJS file: a sandboxed preload can `require` only
 * 'electron' (and a few Node shims), so our imports are bundled in.
 */
export const preloadViteConfig = defineConfig({
  root: projectRoot,
  build: {
    outDir: buildOutDir,
    emptyOutDir: false,
    sourcemap: 'inline',
    rollupOptions: {
      input: resolve(projectRoot, 'electron/preload/preload.ts'),
      external: nodeExternals,
      output: { format: 'cjs', entryFileNames: 'preload.cjs' },
    },
  },
  define: { __VIRIDIAN_VERSION__: JSON.stringify(pkg.version) },
});

// vite reads the default export of its config file.
// eslint-disable-next-line no-restricted-exports
export default preloadViteConfig;
