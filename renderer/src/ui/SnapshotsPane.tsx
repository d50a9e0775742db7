import { makeStyles, tokens } from '@fluentui/react-components';
import { useEngine } from '../engine/engine-context';
import { SnapshotTree } from '../snapshots/SnapshotTree';
import { useSelectedVms } from '../state/use-selection';
import { PaneHeader } from './PaneHeader';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, height: '100%' },
  body: {
    flexGrow: 1,
    padding: '10px 12px',
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    overflow: 'auto',
    backgroundColor: tokens.colorNeutralBackground1,
  },
});

/** The selected VM's snapshot tree (empty until snapshots exist). */
export function SnapshotsPane() {
  const s = useStyles();
  const vms = useSelectedVms();
  const only = vms.length === 1 ? vms[0] : undefined;
  const engine = useEngine();
  if (only !== undefined) return <SnapshotTree engine={engine} vm={only} />;
  return (
    <section className={s.root} aria-labelledby="snapshots-title" data-testid="snapshots-pane">
      <PaneHeader title="Snapshots" id="snapshots-title" />
      <div className={s.body}>
        {vms.length === 0 && 'Select a virtual machine to see its snapshots.'}
        {only !== undefined && 'The selected virtual machine has no snapshots.'}
        {vms.length > 1 && `${vms.length} virtual machines are selected.`}
      </div>
    </section>
  );
}
