import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  const log = process.env.VIRIDIAN_LOAD_LOG;
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
