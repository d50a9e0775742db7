import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input } from '@fluentui/react-components';
import { SNAPSHOT_NAME_MAX, toErrorInfo, type SnapshotInfo, type SnapshotTree } from '../../../core/contract';
import { ConfirmDialog } from '../dialogs/ConfirmDialog';
import type { EngineApi } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { showError } from '../state/ui-store';
import { applyText } from './snapshot-rows';
import { closeSnapshotDialog, refreshTrees, useSnapshotUi, type SnapshotDialog } from './snapshot-ui';

function find(tree: SnapshotTree | undefined, id: string): SnapshotInfo | undefined {
  return tree?.snapshots.find((s) => s.id === id);
}

function ApplyDialog({ engine, d }: { engine: EngineApi; d: Extract<SnapshotDialog, { kind: 'apply' }> }) {
  const vm = useConsole((st) => st.vms.get(d.vmId));
  const tree = useSnapshotUi((st) => st.trees.get(d.vmId));
  const target = find(tree, d.snapshotId);
  if (!vm || !tree || !target) return null;
  const text = applyText({ name: vm.name, state: vm.status.state }, target, tree, d.revert);
  const go = () => {
    closeSnapshotDialog();
    engine.call('snapshot.apply', { vm: vm.id, snapshot: target.id }).catch((err: unknown) => showError(toErrorInfo(err), `Apply snapshot “${target.name}”`));
  };
  return <ConfirmDialog testId="apply-snapshot-dialog" maxWidth={500} title={text.title} body={text.body} confirmLabel={text.button} onConfirm={go} onCancel={closeSnapshotDialog} />;
}

function RenameDialog({ engine, d }: { engine: EngineApi; d: Extract<SnapshotDialog, { kind: 'rename' }> }) {
  const tree = useSnapshotUi((st) => st.trees.get(d.vmId));
  const target = find(tree, d.snapshotId);
  const [name, setName] = useState(target?.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!target) return null;
  const trimmed = name.trim();
  const save = async () => {
    setBusy(true);
    try {
      await engine.call('snapshot.rename', { vm: d.vmId, snapshot: target.id, name: trimmed });
      refreshTrees();
      closeSnapshotDialog();
    } catch (err) {
      setError(toErrorInfo(err).message);
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, x) => !x.open && closeSnapshotDialog()}>
      <DialogSurface data-testid="rename-snapshot-dialog" style={{ maxWidth: 460 }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (trimmed !== '') void save();
          }}
        >
          <DialogBody>
            <DialogTitle>Rename Snapshot</DialogTitle>
            <DialogContent>
              <Field label="Name" {...(error !== null ? { validationMessage: error, validationState: 'error' as const } : {})}>
                <Input value={name} maxLength={SNAPSHOT_NAME_MAX} autoFocus onChange={(_, v) => setName(v.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={busy || trimmed === '' || trimmed === target.name}>
                Rename
              </Button>
              <Button onClick={closeSnapshotDialog}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function DeleteDialog({ engine, d }: { engine: EngineApi; d: Extract<SnapshotDialog, { kind: 'delete' }> }) {
  const vm = useConsole((st) => st.vms.get(d.vmId));
  const tree = useSnapshotUi((st) => st.trees.get(d.vmId));
  const target = find(tree, d.snapshotId);
  if (!vm || !tree || !target) return null;
  const below = (() => {
    let n = 0;
    const walk = (id: string) => {
      for (const c of tree.snapshots.filter((x) => x.parentId === id)) {
        n++;
        walk(c.id);
      }
    };
    walk(target.id);
    return n;
  })();
  const running = vm.status.state === 'Running' || vm.status.state === 'Paused';
  const title = d.subtree ? `Delete “${target.name}” and the ${below} snapshot${below === 1 ? '' : 's'} below it?` : `Delete snapshot “${target.name}”?`;
  const body = `${d.subtree ? 'These snapshots can no longer be applied.' : 'The snapshot can no longer be applied.'} Its disk data is merged into the disks that still need it${running ? ' while the VM keeps running' : ''}; nothing in the VM’s current state changes.`;
  const go = () => {
    closeSnapshotDialog();
    engine.call('snapshot.delete', { vm: vm.id, snapshot: target.id, subtree: d.subtree }).catch((err: unknown) => showError(toErrorInfo(err), `Delete snapshot “${target.name}”`));
  };
  return <ConfirmDialog testId="delete-snapshot-dialog" title={title} body={body} confirmLabel="Delete" onConfirm={go} onCancel={closeSnapshotDialog} />;
}

/** Mounted once per page: shows whichever snapshot dialog is open. */
export function SnapshotDialogs({ engine }: { engine: EngineApi }) {
  const d = useSnapshotUi((st) => st.dialog);
  if (d === null) return null;
  if (d.kind === 'apply') return <ApplyDialog key={`${d.vmId}/${d.snapshotId}`} engine={engine} d={d} />;
  if (d.kind === 'rename') return <RenameDialog key={`${d.vmId}/${d.snapshotId}`} engine={engine} d={d} />;
  return <DeleteDialog key={`${d.vmId}/${d.snapshotId}/${String(d.subtree)}`} engine={engine} d={d} />;
}
