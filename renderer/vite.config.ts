import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// This file runs in Node at build time; URL keeps it free of node: imports (lint keeps renderer/ browser-only).
const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

export const rendererConfig = defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}dist`,
    emptyOutDir: true,
    // A desktop console loaded from disk or localhost: one ~1 MB bundle is fine.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // bench.html is the simulated-fleet benchmark page; built beside the console.
      input: { main: `${here}index.html`, bench: `${here}bench.html` },
    },
  },
});

// vite reads the default export of its config file.
// eslint-disable-next-line no-restricted-exports
export default rendererConfig;
