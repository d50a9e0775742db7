import type { EngineFeature } from './context';

/**
 * Features installed into every engine, in order. Each lives in its own
 * file under core/engine/ (or core/<area>/) and registers its methods.
 */
export const FEATURES: EngineFeature[] = [];
