import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { buildOutDir, nodeExternals, nodeResolve, projectRoot } from './vite.shared.ts';

/**
 * core/host bundled into one CommonJS file for Electron's utilityProcess. The
 * packaged app ships only .vite/, so every dependency (zod, ws, …) is inlined.
 * `.cjs` because package.json says "type": "module".
 */
export const hostViteConfig = defineConfig({
  root: projectRoot,
  resolve: nodeResolve,
  build: {
    outDir: buildOutDir,
    emptyOutDir: false,
    target: 'node22',
    sourcemap: true,
    lib: { entry: resolve(projectRoot, 'core/host/main.ts'), formats: ['cjs'], fileName: () => 'host.cjs' },
    rollupOptions: { external: nodeExternals, output: { codeSplitting: false } },
  },
  define: {
    // core reads package.json and finds its entry via import.meta.url; CommonJS has no import.meta.
    'import.meta.url': 'require("node:url").pathToFileURL(__filename).href',
  },
});

// vite reads the default export of its config file.
// eslint-disable-next-line no-restricted-exports
export default hostViteConfig;
