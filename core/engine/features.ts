import type { EngineFeature } from './context';
import { migrationFeature } from '../migration/feature';
import { remoteHostsFeature } from '../remote/feature';
import { networksFeature } from './networks';
import { disksFeature } from './disks';
import { snapshotsFeature } from './snapshots';
import { transferFeature } from './transfer';
import { consolesFeature } from './consoles';

/**
 * Features installed into every engine, in order. Each lives in its own
 * file under core/engine/ (or core/<area>/) and registers its methods.
 */
export const FEATURES: EngineFeature[] = [remoteHostsFeature, migrationFeature, networksFeature, disksFeature, snapshotsFeature, transferFeature, consolesFeature];
