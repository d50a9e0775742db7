// Import and export (export folders, Virtual Server .vmc).
// Add this feature's methods here; their names start with the feature's prefix.
export const TRANSFER_METHODS = {} as const;
