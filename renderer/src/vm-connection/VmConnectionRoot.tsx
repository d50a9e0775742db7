import type { EngineApi } from '../engine/engine-context';
import { AppFrame } from '../app/App';
import { VmConnectionPage } from './VmConnectionPage';

/** The VM Connection window's (or tab's) whole page. */
export function VmConnectionRoot({ engine, vmId }: { engine: EngineApi; vmId: string }) {
  return (
    <AppFrame engine={engine}>
      <VmConnectionPage engine={engine} vmId={vmId} />
    </AppFrame>
  );
}
