import { useState } from 'react';
import { Tree, TreeItem, TreeItemLayout, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Server20Regular, ServerMultiple20Regular } from '@fluentui/react-icons';
import { useConsole } from '../state/app-stores';
import { uiStore, useUi } from '../state/ui-store';
import { PaneHeader } from './PaneHeader';
import { RemoteHostTreeItems } from '../hosts/RemoteHostTreeItems';
import { selectHost, useHosts } from '../hosts/hosts-store';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0, backgroundColor: tokens.colorNeutralBackground1 },
  tree: { padding: '4px', overflow: 'auto', flexGrow: 1 },
  selected: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    fontWeight: tokens.fontWeightSemibold,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected },
  },
  layout: { fontSize: tokens.fontSizeBase300 },
});

/** Left console tree: "Viridian Manager" with the connected host beneath. */
export function NavTree() {
  const s = useStyles();
  const hostname = useConsole((st) => st.host?.hostname ?? 'Connecting…');
  const tree = useUi((st) => st.tree);
  const remote = useHosts((st) => st.selectedHostId);
  // A remote server selected in the tree is "host" too, with the hosts store saying which.
  const selected = tree === 'host' && remote !== null ? 'remote' : tree;
  const pick = (t: 'root' | 'host') => () => {
    selectHost(null);
    uiStore.setState({ tree: t });
  };
  const [open, setOpen] = useState<string[]>(['root']);
  return (
    <nav className={s.root} aria-label="Console tree">
      <PaneHeader title="Console" />
      <div className={s.tree}>
        <Tree
          aria-label="Servers"
          size="small"
          openItems={open}
          onOpenChange={(_, d) => {
            // Clicking or pressing Enter on a node selects it (as in MMC); the chevron and arrows expand.
            if (d.type === 'Click' || d.type === 'Enter') return;
            setOpen(d.open ? ['root'] : []);
          }}
        >
          <TreeItem
            itemType="branch"
            value="root"
            aria-selected={selected === 'root'}
            data-testid="tree-root"
            // Clicks on the host bubble up through the root item: only act on the root's own.
            onClick={(e) => {
              if ((e.target as HTMLElement).closest('[role="treeitem"]') === e.currentTarget) pick('root')();
            }}
          >
            <TreeItemLayout iconBefore={<ServerMultiple20Regular />} className={mergeClasses(s.layout, selected === 'root' && s.selected)}>
              Viridian Manager
            </TreeItemLayout>
            <Tree>
              <TreeItem itemType="leaf" value="host" aria-selected={selected === 'host'} data-testid="tree-host" onClick={pick('host')}>
                <TreeItemLayout iconBefore={<Server20Regular />} className={mergeClasses(s.layout, selected === 'host' && s.selected)}>
                  {hostname}
                </TreeItemLayout>
              </TreeItem>
              <RemoteHostTreeItems />
            </Tree>
          </TreeItem>
        </Tree>
      </div>
    </nav>
  );
}
