import { defineConfig } from 'vitest/config';

export const vitestConfig = defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'electron/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**'],
    // Integration tests boot real QEMU guests under TCG on 2 cores: keep parallelism low.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 300_000,
    environment: 'node',
  },
});
// vitest reads the default export of its config file; this is the one allowed exception.
// eslint-disable-next-line no-restricted-exports
export default vitestConfig;
