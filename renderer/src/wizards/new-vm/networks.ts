/** The option that leaves an adapter unplugged (network: null). */
export const NOT_CONNECTED = 'Not connected';

/**
 * Virtual networks offered in the pickers. "External" is the engine's
 * user-mode NAT network that every host has; any other name can be typed.
 */
export const SUGGESTED_NETWORKS: readonly string[] = ['External'];
