/** Quotes an argument for display in "View Script" (never executed by us). */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function cliLine(...args: string[]): string {
  return ['viridian', ...args.map(shellQuote)].join(' ');
}
