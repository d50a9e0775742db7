import { memo } from 'react';
import { mergeClasses } from '@fluentui/react-components';
import { useConsole } from '../../state/app-stores';
import { StateBadge } from '../StateBadge';
import { COLUMNS, cellText } from './columns';
import { useListStyles } from './list-styles';

export interface VmRowProps {
  id: string;
  /** 0-based position in the sorted list. */
  index: number;
  offset: number;
  template: string;
  width: number;
  selected: boolean;
  focused: boolean;
  /** The list has focus: selection shows in the accent colour. */
  active: boolean;
}

export function rowDomId(id: string): string {
  return `vm-row-${id}`;
}

/** One VM row; subscribes to its own VM so a stats tick repaints only visible rows that changed. */
export const VmRow = memo(function VmRow({ id, index, offset, template, width, selected, focused, active }: VmRowProps) {
  const s = useListStyles();
  const vm = useConsole((st) => st.vms.get(id));
  const job = useConsole((st) => st.jobByVm.get(id));
  if (vm === undefined) return null;
  return (
    <div
      id={rowDomId(id)}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-vm-id={id}
      data-testid={`vm-row-${vm.name}`}
      className={mergeClasses(s.row, s.bodyRow, selected && (active ? s.selectedFocusWithin : s.selected), focused && active && s.focused)}
      style={{ transform: `translateY(${offset}px)`, gridTemplateColumns: template, width: '100%', minWidth: width }}
    >
      {COLUMNS.map((c) => (
        <div
          key={c.key}
          role="gridcell"
          className={mergeClasses(s.cell, c.align === 'end' && s.end, c.key === 'name' && s.nameCell)}
          title={c.key === 'name' || c.key === 'status' ? cellText(c.key, vm, job) : undefined}
        >
          {c.key === 'state' ? <StateBadge state={vm.status.state} testId={`vm-state-${vm.name}`} /> : cellText(c.key, vm, job)}
        </div>
      ))}
    </div>
  );
});
