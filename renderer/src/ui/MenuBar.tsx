import { Fragment } from 'react';
import { Button, Menu, MenuDivider, MenuItem, MenuList, MenuPopover, MenuTrigger, makeStyles, tokens } from '@fluentui/react-components';
import { Add20Regular, ArrowClockwise20Regular, PlugConnected20Regular } from '@fluentui/react-icons';
import { ActionIcon } from '../actions/action-icons';
import { actionLabel, groupActions } from '../actions/vm-actions';
import { requestVmAction } from '../actions/run-action';
import { useEngine } from '../engine/engine-context';
import { openDialog } from '../state/ui-store';
import { useSelectionActions } from '../state/use-selection';
import { NewSubmenu, ViewMenuItems, usePaneChecks } from './host-commands';
import { ImportAction } from '../transfer/ImportAction';
import { HOST_TOOLS } from '../networks/host-tools';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: '0',
    height: '28px',
    paddingLeft: '4px',
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
    flexShrink: 0,
  },
  top: { minWidth: 'auto', fontWeight: tokens.fontWeightRegular, paddingLeft: '8px', paddingRight: '8px' },
});

function NewItems() {
  return <NewSubmenu trigger={<MenuItem icon={<Add20Regular />}>New</MenuItem>} />;
}

function TopMenu({ label, children, ...menuProps }: { label: string; children: React.ReactNode } & Partial<ReturnType<typeof usePaneChecks>>) {
  const s = useStyles();
  return (
    <Menu {...menuProps}>
      <MenuTrigger disableButtonEnhancement>
        <Button appearance="subtle" size="small" className={s.top}>
          {label}
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList hasIcons>{children}</MenuList>
      </MenuPopover>
    </Menu>
  );
}

/** File / Action / View / Help, as in the MMC console (hidden in Electron, which has a native menu). */
export function MenuBar() {
  const s = useStyles();
  const engine = useEngine();
  const checks = usePaneChecks();
  const { vms, actions } = useSelectionActions();
  return (
    <nav className={s.root} aria-label="Menu bar">
      <TopMenu label="File">
        <NewItems />
        <MenuItem icon={<PlugConnected20Regular />} onClick={() => openDialog({ kind: 'connectServer' })}>
          Connect to Server…
        </MenuItem>
      </TopMenu>
      <TopMenu label="Action">
        <NewItems />
        <ImportAction render={(icon, label, onClick) => <MenuItem icon={icon} onClick={onClick}>{label}</MenuItem>} />
        {HOST_TOOLS.map((t) => (
          <MenuItem key={t.dialog} icon={t.icon()} onClick={t.open}>
            {t.label}
          </MenuItem>
        ))}
        <MenuItem icon={<ArrowClockwise20Regular />} onClick={() => engine.refresh()}>
          Refresh
        </MenuItem>
        {groupActions(actions).map((g) => (
          <Fragment key={g.join()}>
            <MenuDivider />
            {g.map((a) => (
              <MenuItem key={a} icon={<ActionIcon action={a} />} onClick={() => requestVmAction(engine, a, vms)}>
                {actionLabel(a)}
              </MenuItem>
            ))}
          </Fragment>
        ))}
      </TopMenu>
      <TopMenu label="View" {...checks}>
        <ViewMenuItems />
        <MenuDivider />
        <MenuItem icon={<ArrowClockwise20Regular />} onClick={() => engine.refresh()}>
          Refresh
        </MenuItem>
      </TopMenu>
      <TopMenu label="Help">
        <MenuItem onClick={() => openDialog({ kind: 'about' })}>About Viridian and Keyboard Shortcuts</MenuItem>
      </TopMenu>
    </nav>
  );
}
