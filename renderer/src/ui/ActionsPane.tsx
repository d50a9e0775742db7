import { useState, type ComponentPropsWithRef, type ReactElement, type ReactNode } from 'react';
import { Button, type ButtonProps, Menu, MenuList, MenuPopover, MenuTrigger, MenuDivider, MenuItem, makeStyles, tokens } from '@fluentui/react-components';
import {
  Add20Regular,
  ArrowClockwise20Regular,
  ChevronDown12Regular,
  ChevronRight12Regular,
  ChevronRight16Regular,
  Eye20Regular,
  PlugConnected20Regular,
  QuestionCircle20Regular,
} from '@fluentui/react-icons';
import { ActionIcon } from '../actions/action-icons';
import { actionLabel, groupActions } from '../actions/vm-actions';
import { requestVmAction } from '../actions/run-action';
import { useEngine } from '../engine/engine-context';
import { useConsole } from '../state/app-stores';
import { openDialog, useUi } from '../state/ui-store';
import { useSelectionActions } from '../state/use-selection';
import { NewSubmenu, ViewMenuItems, usePaneChecks } from './host-commands';
import { ImportAction } from '../transfer/ImportAction';
import { HOST_TOOLS } from '../networks/host-tools';
import { PaneHeader } from './PaneHeader';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    minHeight: 0,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  scroll: { overflowY: 'auto', flexGrow: 1, paddingBottom: '8px' },
  sectionHeader: {
    display: 'flex',
    alignItems: 'center',
    gap: '4px',
    width: '100%',
    minHeight: '26px',
    padding: '0 8px',
    border: 'none',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
    font: 'inherit',
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    cursor: 'pointer',
    textAlign: 'start',
    ':hover': { backgroundColor: tokens.colorNeutralBackground2Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  sectionTitle: { flexGrow: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  list: { display: 'flex', flexDirection: 'column', padding: '4px 4px 6px', margin: 0, listStyleType: 'none' },
  item: {
    justifyContent: 'flex-start',
    width: '100%',
    fontWeight: tokens.fontWeightRegular,
    minHeight: '26px',
    paddingLeft: '6px',
  },
  itemLabel: { flexGrow: 1, textAlign: 'start', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  divider: { height: '1px', margin: '3px 8px', backgroundColor: tokens.colorNeutralStroke3 },
  muted: { padding: '6px 12px', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const s = useStyles();
  const [open, setOpen] = useState(true);
  const Chevron = open ? ChevronDown12Regular : ChevronRight12Regular;
  return (
    <section aria-label={title} data-testid={testId}>
      <button type="button" className={s.sectionHeader} aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className={s.sectionTitle} title={title}>
          {title}
        </span>
        <Chevron aria-hidden="true" />
      </button>
      {open && <div className={s.list}>{children}</div>}
    </section>
  );
}

type ActionButtonProps = Omit<ComponentPropsWithRef<'button'>, 'children'> & { icon: ReactElement; label: string; submenu?: boolean };

/** A link-like row in the Actions pane; spreads the rest so it can be a MenuTrigger child. */
function ActionButton({ icon, label, submenu = false, ...rest }: ActionButtonProps) {
  const s = useStyles();
  return (
    <Button {...(rest as ButtonProps)} appearance="subtle" size="small" icon={icon} className={s.item}>
      <span className={s.itemLabel}>{label}</span>
      {submenu && <ChevronRight16Regular aria-hidden="true" />}
    </Button>
  );
}

function HostActions() {
  const engine = useEngine();
  const checks = usePaneChecks();
  return (
    <>
      <NewSubmenu trigger={<ActionButton icon={<Add20Regular />} label="New" submenu />} />
      <ImportAction render={(icon, label, onClick) => <ActionButton icon={icon} label={label} onClick={onClick} />} />
      <ActionButton icon={<PlugConnected20Regular />} label="Connect to Server…" onClick={() => openDialog({ kind: 'connectServer' })} />
      {HOST_TOOLS.map((t) => (
        <ActionButton key={t.dialog} icon={t.icon()} label={t.label} onClick={t.open} />
      ))}
      <ActionButton icon={<ArrowClockwise20Regular />} label="Refresh" onClick={() => engine.refresh()} />
      <Menu {...checks}>
        <MenuTrigger disableButtonEnhancement>
          <ActionButton icon={<Eye20Regular />} label="View" submenu />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <ViewMenuItems />
            <MenuDivider />
            <MenuItem onClick={() => engine.refresh()}>Refresh</MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      <ActionButton icon={<QuestionCircle20Regular />} label="Help" onClick={() => openDialog({ kind: 'about' })} />
    </>
  );
}

function VmActions() {
  const s = useStyles();
  const engine = useEngine();
  const { vms, actions } = useSelectionActions();
  const first = vms[0];
  if (first === undefined) return null;
  const title = vms.length === 1 ? first.name : `${vms.length} virtual machines`;
  return (
    <Section title={title} testId="actions-vm-section">
      {groupActions(actions).map((g, i) => (
        <div key={g.join()} role="group">
          {i > 0 && <div className={s.divider} role="separator" />}
          {g.map((a) => (
            <ActionButton key={a} icon={<ActionIcon action={a} />} label={actionLabel(a)} onClick={() => requestVmAction(engine, a, vms)} />
          ))}
        </div>
      ))}
      {actions.length === 0 && <div className={s.muted}>No actions apply to this selection.</div>}
    </Section>
  );
}

/** The right-hand Actions pane: host actions, then the selected VM's (same list as the context menu). */
export function ActionsPane() {
  const s = useStyles();
  const hostname = useConsole((st) => st.host?.hostname ?? null);
  const tree = useUi((st) => st.tree);
  return (
    <aside className={s.root} data-testid="actions-pane" aria-label="Actions">
      <PaneHeader title="Actions" />
      <div className={s.scroll}>
        {tree === 'root' ? (
          <Section title="Viridian Manager">
            <ActionButton icon={<PlugConnected20Regular />} label="Connect to Server…" onClick={() => openDialog({ kind: 'connectServer' })} />
            <ActionButton icon={<QuestionCircle20Regular />} label="Help" onClick={() => openDialog({ kind: 'about' })} />
          </Section>
        ) : (
          <>
            <Section title={hostname ?? 'This host'} testId="actions-host-section">
              <HostActions />
            </Section>
            <VmActions />
          </>
        )}
      </div>
    </aside>
  );
}
