// Virtual disks beyond create/inspect: edit, convert, merge, reconnect, hot-add (issue: disks and networks).
// Add this feature's methods here; their names start with the feature's prefix.
export const STORAGE_METHODS = {} as const;
