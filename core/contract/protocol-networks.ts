// Virtual networks (Virtual Network Manager).
// Add this feature's methods here; their names start with the feature's prefix.
export const NETWORK_METHODS = {} as const;
