import { resolve } from 'node:path';
import { defineConfig, loadConfigFromFile, type Plugin, type UserConfig } from 'vite';
import { projectRoot } from './vite.shared.ts';

const rendererRoot = resolve(projectRoot, 'renderer');
/** Forge's vite plugin serves/loads the renderer named "main_window" from here (must be absolute). */
export const rendererOutDir = resolve(projectRoot, '.vite/renderer/main_window');

/**
 * Under `electron-forge start` the page comes from vite's dev server, whose
 * React Refresh preamble is an inline script; the renderer's meta CSP
 * (script-src 'self') would block it. Development only: builds keep the
 * policy as written.
 */
function allowInlineScriptsInDev(): Plugin {
  return {
    name: 'viridian:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/script-src 'self'(?! 'unsafe-inline')/, "script-src 'self' 'unsafe-inline'"),
  };
}

/**
 * The renderer's own vite config (renderer/vite.config.ts, loaded by path:
 * electron/ does not import renderer code), with the output moved to where the
 * packaged app looks and without the benchmark page.
 */
export const electronRendererViteConfig = defineConfig(async (env): Promise<UserConfig> => {
  const loaded = await loadConfigFromFile(env, resolve(rendererRoot, 'vite.config.ts'), rendererRoot);
  const base: UserConfig = loaded?.config ?? {};
  return {
    ...base,
    root: rendererRoot,
    base: './',
    plugins: [...(base.plugins ?? []), allowInlineScriptsInDev()],
    build: {
      ...base.build,
      outDir: rendererOutDir,
      emptyOutDir: true,
      rollupOptions: { ...base.build?.rollupOptions, input: { main: resolve(rendererRoot, 'index.html') } },
    },
  };
});

// vite reads the default export of its config file.
// eslint-disable-next-line no-restricted-exports
export default electronRendererViteConfig;
