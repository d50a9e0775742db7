import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { buildOutDir, nodeExternals, nodeResolve, projectRoot } from './vite.shared.ts';

/** The main process: .vite/build/main.cjs (package.json "main"). */
export const mainViteConfig = defineConfig({
  root: projectRoot,
  resolve: nodeResolve,
  build: {
    outDir: buildOutDir,
    emptyOutDir: false,
    target: 'node22',
    sourcemap: true,
    lib: { entry: resolve(projectRoot, 'electron/main/main.ts'), formats: ['cjs'], fileName: () => 'main.cjs' },
    rollupOptions: { external: nodeExternals, output: { codeSplitting: false } },
  },
});

// vite reads the default export of its config file.
// eslint-disable-next-line no-restricted-exports
export default mainViteConfig;
