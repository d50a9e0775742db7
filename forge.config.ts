import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * `npm run make` → .deb + .zip (Linux), .zip (macOS/Windows); electron-builder.yml
 * covers the Windows installer and the macOS disk image. The Electron download is
 * not reachable on every build machine: put electron-vX.Y.Z-<platform>-<arch>.zip in
 * a folder and set ELECTRON_ZIP_DIR to it to build offline.
 */
const electronZipDir = process.env['ELECTRON_ZIP_DIR'];

const summary = 'Hyper-V Manager-style console for QEMU virtual machines';
const description = 'Create, run, save, snapshot and connect to virtual machines on QEMU from a tree / results / actions console.';

export const forgeConfig: ForgeConfig = {
  packagerConfig: {
    name: 'Viridian',
    executableName: 'viridian',
    appBundleId: 'org.viridian.manager',
    appCategoryType: 'public.app-category.developer-tools',
    asar: true,
    ...(electronZipDir ? { electronZipDir } : {}),
  },
  rebuildConfig: {},
  makers: [
    new MakerZIP({}, ['linux', 'darwin', 'win32']),
    new MakerDeb({
      options: {
        name: 'viridian',
        productName: 'Viridian',
        genericName: 'Virtual Machine Manager',
        bin: 'viridian',
        // Debian's one-line synopsis, then the long text.
        description: summary,
        productDescription: `${description} VMs run as detached QEMU processes (KVM when available) and keep running when the console closes.`,
        section: 'admin',
        priority: 'optional',
        categories: ['System', 'Utility'],
        // Added to electron-installer-debian's own list (GTK, NSS, …), not instead of it.
        depends: ['qemu-system-x86', 'qemu-utils'],
        recommends: ['ovmf'],
        maintainer: 'Viridian developers',
      },
    }),
  ],
  plugins: [
    new VitePlugin({
      // Paths are relative to the project root; each config also sets its own entry and output name (.cjs).
      build: [
        { entry: 'electron/main/main.ts', config: 'electron/vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload/preload.ts', config: 'electron/vite.preload.config.ts', target: 'preload' },
        // The engine, run by main in a utilityProcess.
        { entry: 'core/host/main.ts', config: 'electron/vite.host.config.ts', target: 'main' },
      ],
      renderer: [{ name: 'main_window', config: 'electron/vite.renderer.config.ts' }],
    }),
    // Fuses are flipped in the packaged binary at package time (not in `npm start`).
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

// Forge reads the default export of forge.config.ts.
// eslint-disable-next-line no-restricted-exports
export default forgeConfig;
