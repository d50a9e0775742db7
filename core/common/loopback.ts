/** A host name or address that only this machine can reach: localhost, ::1, 127.x. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The host name of an HTTP Host header ("[::1]:8446" → "::1"), or null when it is not one. */
export function hostHeaderName(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(`http://${value}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * A request's Host header names this machine. Servers bound to loopback check
 * it so that a DNS-rebinding page (evil.example → 127.0.0.1) is refused.
 */
export function isLoopbackHostHeader(value: string | undefined): boolean {
  const name = hostHeaderName(value);
  return name !== null && isLoopbackHost(name);
}
