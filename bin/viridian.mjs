#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout through tsx.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../core/tsconfig.json', import.meta.url)) });
const { runCli } = await import('../core/cli/main.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Normally the loop is empty by now and Node exits at once; this only guards
// against a stray handle keeping a finished command alive.
if (!process.env.VIRIDIAN_NO_FORCE_EXIT) setTimeout(() => process.exit(code), 3000).unref();
