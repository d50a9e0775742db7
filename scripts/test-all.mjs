#!/usr/bin/env node
// `npm test`: lint, typecheck, unit + integration (vitest, real QEMU guests),
// e2e (Playwright in Chromium against the real engine). Prints one summary
// line "N passed, N failed, N skipped" and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = new Set(process.argv.slice(2)); // e.g. `npm test -- unit e2e`
const want = (step) => only.size === 0 || only.has(step);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(label, cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  console.log(`  ${label}: ${r.status === 0 ? 'ok' : `exit ${r.status ?? r.signal}`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

function check(label, cmd, args) {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

if (want('lint')) check('lint (eslint, import boundaries)', bin('eslint'), ['.']);
if (want('typecheck')) check('typecheck (tsc -b, strict)', bin('tsc'), ['-b']);

if (want('unit') || want('e2e')) {
  if (!run('test guest (built once, cached)', 'bash', ['scripts/build-test-guest.sh'])) {
    failed++;
    failures.push('test guest build');
  }
}

if (want('unit')) {
  const json = join(out, 'vitest.json');
  run('unit + integration (vitest, real QEMU)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${json}`]);
  if (existsSync(json)) {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if (r.numFailedTests) failures.push(`${r.numFailedTests} vitest test(s)`);
    // A suite that failed to load has no tests but must count.
    const broken = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0);
    failed += broken.length;
    for (const s of broken) failures.push(`suite ${s.name}`);
  } else {
    failed++;
    failures.push('vitest produced no report');
  }
}

if (want('e2e') && !run('web console build (renderer/dist, opened by e2e)', process.execPath, [join(root, 'scripts', 'build-web.mjs')])) {
  failed++;
  failures.push('web console build');
} else if (want('e2e')) {
  if (existsSync(join(root, 'playwright.config.ts'))) {
    const json = join(out, 'playwright.json');
    run('e2e (Playwright, Chromium, real engine)', bin('playwright'), ['test'], {
      env: { PLAYWRIGHT_JSON_OUTPUT_NAME: json, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    });
    if (existsSync(json)) {
      const r = JSON.parse(readFileSync(json, 'utf8'));
      const s = r.stats ?? {};
      passed += (s.expected ?? 0) + (s.flaky ?? 0);
      failed += s.unexpected ?? 0;
      skipped += s.skipped ?? 0;
      if (s.unexpected) failures.push(`${s.unexpected} e2e test(s)`);
      for (const e of r.errors ?? []) {
        failed++;
        failures.push(`e2e error: ${String(e.message ?? '').split('\n')[0]}`);
      }
    } else {
      failed++;
      failures.push('playwright produced no report');
    }
  }
}

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
