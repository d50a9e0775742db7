import { Fragment, useMemo } from 'react';
import { Menu, MenuDivider, MenuItem, MenuList, MenuPopover } from '@fluentui/react-components';
import type { VmAction } from '../../../../core/contract';
import { ActionIcon } from '../../actions/action-icons';
import { actionLabel, groupActions } from '../../actions/vm-actions';

export interface MenuPoint {
  x: number;
  y: number;
}

/** The right-click (or Shift+F10) menu of the selected VMs, opened at a point. */
export function VmContextMenu({
  point,
  actions,
  onAction,
  onClose,
}: {
  point: MenuPoint | null;
  actions: readonly VmAction[];
  onAction: (a: VmAction) => void;
  onClose: () => void;
}) {
  const target = useMemo(
    () =>
      point === null
        ? null
        : {
            getBoundingClientRect: () => ({
              x: point.x,
              y: point.y,
              left: point.x,
              top: point.y,
              right: point.x,
              bottom: point.y,
              width: 0,
              height: 0,
              toJSON: () => ({}),
            }),
          },
    [point],
  );
  const groups = groupActions(actions);
  return (
    <Menu
      open={point !== null}
      onOpenChange={(_, d) => {
        if (!d.open) onClose();
      }}
      positioning={{ target, position: 'below', align: 'start' }}
    >
      <MenuPopover data-testid="vm-context-menu">
        <MenuList aria-label="Virtual machine actions">
          {groups.map((g, i) => (
            <Fragment key={g.join()}>
              {i > 0 && <MenuDivider />}
              {g.map((a) => (
                <MenuItem key={a} icon={<ActionIcon action={a} />} onClick={() => onAction(a)}>
                  {actionLabel(a)}
                </MenuItem>
              ))}
            </Fragment>
          ))}
          {groups.length === 0 && <MenuItem disabled>No actions available</MenuItem>}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
