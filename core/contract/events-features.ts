// Events added by features beyond the core set (each with its own prefix).
export const FEATURE_EVENTS = {} as const;
