import { useMemo, useRef, useState } from 'react';
import { Button, Menu, MenuDivider, MenuItem, MenuList, MenuPopover, Tooltip, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ArrowUndo16Regular, Camera16Regular, Camera20Regular, Delete20Regular, DeleteLines20Regular, Play16Filled, Rename20Regular, ArrowUndo20Regular } from '@fluentui/react-icons';
import { isActionAllowed, type VmSummary } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { PaneHeader } from '../ui/PaneHeader';
import { shortDate, snapshotRows, type SnapshotRow } from './snapshot-rows';
import { openSnapshotDialog, selectSnapshot, takeSnapshot, useSnapshotUi } from './snapshot-ui';
import { useSnapshotTree } from './use-snapshot-tree';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, height: '100%' },
  tools: { display: 'flex', gap: '2px' },
  body: { flexGrow: 1, minHeight: 0, overflow: 'auto', backgroundColor: tokens.colorNeutralBackground1, padding: '2px 0', outlineStyle: 'none' },
  empty: { padding: '8px 12px', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: '6px',
    height: '22px',
    paddingRight: '10px',
    fontSize: tokens.fontSizeBase200,
    cursor: 'default',
    userSelect: 'none',
    whiteSpace: 'nowrap',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected, ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected } },
  focused: { outline: `1px dotted ${tokens.colorNeutralForeground2}`, outlineOffset: '-1px' },
  icon: { color: tokens.colorBrandForeground1, flexShrink: 0, display: 'flex' },
  now: { color: tokens.colorPaletteGreenForeground1, flexShrink: 0, display: 'flex' },
  name: { overflow: 'hidden', textOverflow: 'ellipsis' },
  date: { color: tokens.colorNeutralForeground3 },
  nowLabel: { fontWeight: tokens.fontWeightSemibold },
  guide: { width: '16px', flexShrink: 0 },
});

interface MenuAt {
  x: number;
  y: number;
  row: SnapshotRow;
}

/** The Snapshots pane of one VM: the tree with "Now", its context menu and tool buttons. */
export function SnapshotTree({ engine, vm }: { engine: EngineApi; vm: VmSummary }) {
  const s = useStyles();
  const { tree, error } = useSnapshotTree(engine, vm.id);
  const selected = useSnapshotUi((st) => st.selected.get(vm.id) ?? null);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const body = useRef<HTMLDivElement | null>(null);
  const rows = useMemo(() => (tree && tree.vmId === vm.id ? snapshotRows(tree) : []), [tree, vm.id]);
  const current = rows.find((r) => r.id === selected) ?? null;
  const canTake = isActionAllowed(vm.status.state, 'snapshot') && vm.migrationBlocker === null;
  const canApply = isActionAllowed(vm.status.state, 'revert');
  const idle = vm.operation === null;
  const target = useMemo(
    () =>
      menu === null
        ? null
        : { getBoundingClientRect: () => ({ x: menu.x, y: menu.y, left: menu.x, top: menu.y, right: menu.x, bottom: menu.y, width: 0, height: 0, toJSON: () => ({}) }) },
    [menu],
  );

  const apply = (id: string) => openSnapshotDialog({ kind: 'apply', vmId: vm.id, snapshotId: id, revert: false });
  const rename = (id: string) => openSnapshotDialog({ kind: 'rename', vmId: vm.id, snapshotId: id });
  const remove = (id: string, subtree: boolean) => openSnapshotDialog({ kind: 'delete', vmId: vm.id, snapshotId: id, subtree });

  const onKey = (e: React.KeyboardEvent) => {
    if (rows.length === 0) return;
    const i = rows.findIndex((r) => r.id === selected);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) selectSnapshot(vm.id, next.id);
    } else if (current?.kind === 'snapshot') {
      if (e.key === 'Enter' && canApply && idle) apply(current.id);
      else if (e.key === 'F2') rename(current.id);
      else if (e.key === 'Delete' && idle) remove(current.id, e.shiftKey);
    }
    if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
      e.preventDefault();
      const el = body.current?.querySelector('[aria-selected="true"]');
      const r = el?.getBoundingClientRect();
      if (current && r) setMenu({ x: r.left + 24, y: r.bottom, row: current });
    }
  };

  const snap = current?.kind === 'snapshot' ? current : null;
  return (
    <section className={s.root} aria-labelledby="snapshots-title" data-testid="snapshots-pane">
      <PaneHeader title={`Snapshots${tree && tree.snapshots.length > 0 ? ` (${tree.snapshots.length})` : ''}`} id="snapshots-title">
        <div className={s.tools}>
          <Tooltip content="Take Snapshot" relationship="label">
            <Button size="small" appearance="subtle" icon={<Camera20Regular />} disabled={!canTake || !idle} onClick={() => void takeSnapshot(engine, vm)} />
          </Tooltip>
          <Tooltip content="Apply…" relationship="label">
            <Button size="small" appearance="subtle" icon={<ArrowUndo20Regular />} disabled={!snap || !canApply || !idle} onClick={() => snap && apply(snap.id)} />
          </Tooltip>
          <Tooltip content="Rename…" relationship="label">
            <Button size="small" appearance="subtle" icon={<Rename20Regular />} disabled={!snap} onClick={() => snap && rename(snap.id)} />
          </Tooltip>
          <Tooltip content="Delete Snapshot…" relationship="label">
            <Button size="small" appearance="subtle" icon={<Delete20Regular />} disabled={!snap || !idle} onClick={() => snap && remove(snap.id, false)} />
          </Tooltip>
        </div>
      </PaneHeader>
      <div
        ref={body}
        className={s.body}
        role="tree"
        aria-label={`Snapshots of ${vm.name}`}
        tabIndex={0}
        onKeyDown={onKey}
        onFocus={() => {
          if (selected === null && rows[0]) selectSnapshot(vm.id, rows[0].id);
        }}
      >
        {error !== null && <div className={s.empty}>The snapshots could not be read: {error}</div>}
        {error === null && tree !== null && rows.length === 0 && (
          <div className={s.empty}>
            “{vm.name}” has no snapshots.{canTake ? ' Take one with Snapshot (in the Actions pane or the right-click menu).' : ''}
          </div>
        )}
        {rows.map((r) => (
          <div
            key={r.id}
            role="treeitem"
            aria-level={r.depth + 1}
            aria-selected={selected === r.id}
            data-testid={r.kind === 'now' ? 'snapshot-now' : 'snapshot-row'}
            data-snapshot-id={r.kind === 'snapshot' ? r.id : undefined}
            className={mergeClasses(s.row, selected === r.id && s.selected)}
            style={{ paddingLeft: 8 + r.depth * 18 }}
            onClick={() => selectSnapshot(vm.id, r.id)}
            onDoubleClick={() => r.kind === 'snapshot' && canApply && idle && apply(r.id)}
            onContextMenu={(e) => {
              e.preventDefault();
              selectSnapshot(vm.id, r.id);
              setMenu({ x: e.clientX, y: e.clientY, row: r });
            }}
          >
            {r.kind === 'snapshot' ? (
              <>
                <span className={s.icon}>
                  <Camera16Regular aria-hidden="true" />
                </span>
                <span className={s.name}>{r.snapshot.name}</span>
                <span className={s.date}>
                  {shortDate(r.snapshot.createdAt)} · {r.snapshot.vmState}
                </span>
              </>
            ) : (
              <>
                <span className={s.now}>
                  <Play16Filled aria-hidden="true" />
                </span>
                <span className={s.nowLabel}>Now</span>
              </>
            )}
          </div>
        ))}
      </div>
      <Menu open={menu !== null} onOpenChange={(_, d) => !d.open && setMenu(null)} positioning={{ target, position: 'below', align: 'start' }}>
        <MenuPopover data-testid="snapshot-context-menu">
          <MenuList aria-label="Snapshot actions">
            {menu?.row.kind === 'snapshot' ? (
              <>
                <MenuItem icon={<ArrowUndo16Regular />} disabled={!canApply || !idle} onClick={() => apply(menu.row.id)}>
                  Apply…
                </MenuItem>
                <MenuItem icon={<Rename20Regular />} onClick={() => rename(menu.row.id)}>
                  Rename…
                </MenuItem>
                <MenuDivider />
                <MenuItem icon={<Delete20Regular />} disabled={!idle} onClick={() => remove(menu.row.id, false)}>
                  Delete Snapshot…
                </MenuItem>
                <MenuItem icon={<DeleteLines20Regular />} disabled={!idle || !menu.row.hasChildren} onClick={() => remove(menu.row.id, true)}>
                  Delete Snapshot Subtree…
                </MenuItem>
              </>
            ) : (
              <MenuItem icon={<Camera20Regular />} disabled={!canTake || !idle} onClick={() => void takeSnapshot(engine, vm)}>
                Snapshot
              </MenuItem>
            )}
          </MenuList>
        </MenuPopover>
      </Menu>
    </section>
  );
}
