// Snapshots: take, apply, rename, delete, tree.
// Add this feature's methods here; their names start with the feature's prefix.
export const SNAPSHOT_METHODS = {} as const;
