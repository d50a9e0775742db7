/** Small helpers shared by the benchmarks. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function ms(n: number): string {
  return `${n.toFixed(n < 10 ? 1 : 0)} ms`;
}

export function ratio(a: number, b: number): string {
  return (a / b).toFixed(3);
}
