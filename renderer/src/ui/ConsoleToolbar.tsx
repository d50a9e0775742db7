import { Toolbar, ToolbarButton, ToolbarDivider, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { Add20Regular, ArrowClockwise20Regular, PanelRight20Regular, PanelRightContract20Regular } from '@fluentui/react-icons';
import { ActionIcon } from '../actions/action-icons';
import { TOOLBAR_ACTIONS, actionLabel } from '../actions/vm-actions';
import { requestVmAction } from '../actions/run-action';
import { useEngine } from '../engine/engine-context';
import { uiStore, useUi } from '../state/ui-store';
import { useSelectionActions } from '../state/use-selection';
import { NewSubmenu } from './host-commands';

const useStyles = makeStyles({
  root: {
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    paddingLeft: '4px',
    paddingRight: '4px',
    flexShrink: 0,
    gap: '2px',
  },
  spacer: { flexGrow: 1 },
});

/** Icon toolbar: New, Refresh, then the VM actions (enabled exactly when the selection allows them). */
export function ConsoleToolbar() {
  const s = useStyles();
  const engine = useEngine();
  const { vms, actions } = useSelectionActions();
  const actionsPane = useUi((st) => st.panes.actions);
  return (
    <Toolbar aria-label="Console toolbar" size="small" className={s.root} data-testid="toolbar">
      <NewSubmenu
        trigger={
          <ToolbarButton icon={<Add20Regular />} aria-label="New">
            New
          </ToolbarButton>
        }
      />
      <Tooltip content="Refresh (F5)" relationship="label" withArrow>
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={() => engine.refresh()} />
      </Tooltip>
      <ToolbarDivider />
      {TOOLBAR_ACTIONS.map((a) => {
        const allowed = actions.includes(a);
        return (
          <Tooltip key={a} content={actionLabel(a)} relationship="label" withArrow>
            <ToolbarButton
              icon={<ActionIcon action={a} />}
              disabledFocusable={!allowed}
              onClick={() => {
                if (allowed) requestVmAction(engine, a, vms);
              }}
            />
          </Tooltip>
        );
      })}
      <div className={s.spacer} />
      <Tooltip content={actionsPane ? 'Hide the Actions pane' : 'Show the Actions pane'} relationship="label" withArrow>
        <ToolbarButton
          icon={actionsPane ? <PanelRightContract20Regular /> : <PanelRight20Regular />}
          onClick={() => uiStore.setState((st) => ({ panes: { ...st.panes, actions: !st.panes.actions } }))}
        />
      </Tooltip>
    </Toolbar>
  );
}
