// Remote hosts, Quick and live migration.
// Add this feature's methods here; their names start with the feature's prefix.
export const MIGRATION_METHODS = {} as const;
