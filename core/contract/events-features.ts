// Events added by features beyond the core set (each with its own prefix).
import { MIGRATION_EVENTS } from './protocol-migration';
export const FEATURE_EVENTS = {
  ...MIGRATION_EVENTS,} as const;
