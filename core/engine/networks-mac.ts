import { randomInt } from 'node:crypto';
import { MAC_RE, ViridianError, type MacPool } from '../contract';

/** 48-bit MAC as a number (fits a double exactly). */
export function macToNumber(mac: string): number {
  return parseInt(mac.replace(/:/g, ''), 16);
}

export function numberToMac(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.match(/../g)?.join(':') ?? '';
}

export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().replace(/-/g, ':');
}

/** Why a MAC cannot be given to an adapter, or null. */
export function macProblem(mac: string): string | null {
  if (!MAC_RE.test(mac)) return `"${mac}" is not a MAC address (it looks like 52:54:00:12:34:56).`;
  const first = parseInt(mac.slice(0, 2), 16);
  if (first & 1) return `${mac} is a multicast address; an adapter needs a unicast one (the first byte must be even).`;
  if (macToNumber(mac) === 0) return 'The MAC address 00:00:00:00:00:00 is not allowed.';
  return null;
}

export const MAC_POOL_MAX = 1 << 24;

/** A fresh host's pool: 52:54:00:XX:00:00–52:54:00:XX:FF:FF with a random XX, so hosts differ (as Hyper-V derives its pool per host). */
export function defaultMacPool(): MacPool {
  const x = randomInt(0, 256).toString(16).padStart(2, '0');
  return { first: `52:54:00:${x}:00:00`, last: `52:54:00:${x}:ff:ff` };
}

export function checkMacPool(pool: MacPool): MacPool {
  const first = normalizeMac(pool.first);
  const last = normalizeMac(pool.last);
  for (const m of [first, last]) {
    const p = macProblem(m);
    if (p) throw new ViridianError('INVALID_INPUT', `The MAC pool is wrong: ${p}`);
  }
  const a = macToNumber(first);
  const b = macToNumber(last);
  if (b < a) throw new ViridianError('INVALID_INPUT', `The MAC pool ends (${last}) before it starts (${first}).`, 'Swap the two addresses.');
  if (first.slice(0, 2) !== last.slice(0, 2)) throw new ViridianError('INVALID_INPUT', 'The first byte of the pool must be the same at both ends (it says unicast and locally administered).');
  if (b - a + 1 > MAC_POOL_MAX) throw new ViridianError('INVALID_INPUT', `The MAC pool may hold at most ${MAC_POOL_MAX} addresses.`);
  return { first, last };
}

export function poolSize(pool: MacPool): number {
  return macToNumber(pool.last) - macToNumber(pool.first) + 1;
}

/** The lowest address of the pool not in `used`. */
export function allocateFromPool(pool: MacPool, used: ReadonlySet<string>): string {
  const a = macToNumber(pool.first);
  const b = macToNumber(pool.last);
  for (let n = a; n <= b; n++) {
    const mac = numberToMac(n);
    if (!used.has(mac)) return mac;
  }
  throw new ViridianError(
    'INVALID_STATE',
    `Every MAC address of the pool (${pool.first}–${pool.last}, ${b - a + 1} addresses) is in use.`,
    'Widen the MAC address pool (Virtual Network Manager ▸ MAC Address Range), or give adapters static addresses.',
  );
}
