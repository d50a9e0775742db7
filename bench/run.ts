import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchConsole } from './console-ui';
import { benchLifecycle, formatLifecycle } from './engine-lifecycle';
import { benchMigration, formatMigration } from './migration';
import { benchDevices } from './devices';
import { benchSnapshotChain, formatSnapshotChain } from './snapshot-chain';

/**
 * `npm run bench [-- names...]`: runs the benchmarks, prints a table and
 * writes JSON to bench/results/. Ratios are measured within one run.
 */
const benches: Record<string, () => Promise<{ text: string; json: unknown }>> = {
  lifecycle: async () => {
    const runs = Number(process.env['BENCH_RUNS'] ?? 5);
    const r128 = await benchLifecycle(128, runs);
    const r512 = await benchLifecycle(512, runs);
    return { text: `${formatLifecycle(r128)}\n${formatLifecycle(r512)}`, json: [r128, r512] };
  },
  console: benchConsole,
  migration: async () => {
    const r = await benchMigration(Number(process.env['BENCH_RUNS'] ?? 3));
    return { text: formatMigration(r), json: r };
  },
  devices: benchDevices,
  'snapshot-chain': async () => {
    const r = await benchSnapshotChain(undefined, Number(process.env['BENCH_RUNS'] ?? 3));
    return { text: formatSnapshotChain(r), json: r };
  },
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(benches);
  const outDir = join(import.meta.dirname, 'results');
  await mkdir(outDir, { recursive: true });
  for (const name of names) {
    const bench = benches[name];
    if (!bench) {
      console.error(`Unknown benchmark "${name}". Known: ${Object.keys(benches).join(', ')}`);
      process.exitCode = 2;
      continue;
    }
    const { text, json } = await bench();
    console.log(text);
    await writeFile(join(outDir, `${name}.json`), `${JSON.stringify({ at: new Date().toISOString(), results: json }, null, 2)}\n`);
  }
}

await main();
