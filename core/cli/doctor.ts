import type { Command } from 'commander';
import type { DoctorCheck } from '../engine/doctor';
import type { CliContext, CommonOptions } from './main';

type Check = DoctorCheck;

/** A failed check fails the command unless it is only advice (severity 'warn'). */
function isRequired(c: Check): boolean {
  return c.severity !== 'warn';
}

export function registerDoctor(program: Command, ctx: CliContext): void {
  ctx
    .common(program.command('doctor').description('check that this machine can run virtual machines, and say how to fix what is missing'))
    .action((opts: CommonOptions) =>
      ctx.run(opts, async (out, dataDir) => {
        const { runDoctor } = await import('../engine/doctor');
        const checks: Check[] = await runDoctor(dataDir);
        const failed = checks.filter((c) => !c.ok && isRequired(c));
        if (out.json) {
          out.doc({ ok: failed.length === 0, checks });
        } else {
          for (const c of checks) {
            const mark = c.ok ? '✓' : isRequired(c) ? '✗' : '!';
            // Details may quote a tool's multi-line output; keep it under its check.
            out.line(`${mark} ${c.title}: ${c.detail.trimEnd().replace(/\n/g, '\n    ')}`);
            if (!c.ok && c.fix) out.line(`    fix: ${c.fix}`);
          }
          out.line(failed.length === 0 ? 'All required checks passed.' : `${failed.length} required check${failed.length === 1 ? '' : 's'} failed.`);
        }
        return failed.length === 0 ? 0 : 1;
      }),
    );
}
