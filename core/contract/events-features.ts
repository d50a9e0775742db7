// Events added by features beyond the core set (each with its own prefix).
import { z } from 'zod';
import { MIGRATION_EVENTS } from './protocol-migration';
import { SNAPSHOT_EVENTS } from './protocol-snapshots';

export const FEATURE_EVENTS = {
  ...MIGRATION_EVENTS,
  ...SNAPSHOT_EVENTS,
  /** A virtual network (or the MAC pool) changed: clients re-read network.list. id null = several or the pool. */
  'network.changed': z.object({ id: z.string().nullable() }),
} as const;
