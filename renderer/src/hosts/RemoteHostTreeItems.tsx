import { TreeItem, TreeItemLayout, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { PlugDisconnected20Regular, Server20Regular } from '@fluentui/react-icons';
import { uiStore, useUi } from '../state/ui-store';
import { hostLabel, selectHost, useHosts } from './hosts-store';

const useStyles = makeStyles({
  layout: { fontSize: tokens.fontSizeBase300 },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold, ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected } },
  away: { color: tokens.colorNeutralForeground3 },
  note: { color: tokens.colorNeutralForeground3, fontWeight: tokens.fontWeightRegular },
});

/** The remembered servers under "Viridian Manager", beside this one; away ones show it and reconnect by themselves. */
export function RemoteHostTreeItems() {
  const s = useStyles();
  const hosts = useHosts((st) => st.hosts);
  const selected = useHosts((st) => st.selectedHostId);
  const tree = useUi((st) => st.tree);
  return (
    <>
      {[...hosts.values()].map((h) => {
        const isSel = tree === 'host' && selected === h.id;
        const away = h.connection !== 'connected';
        return (
          <TreeItem
            key={h.id}
            itemType="leaf"
            value={`remote:${h.id}`}
            aria-selected={isSel}
            data-testid="tree-remote-host"
            data-address={h.address}
            data-connection={h.connection}
            onClick={() => {
              uiStore.setState({ tree: 'host', selectedIds: new Set(), anchorId: null, focusId: null });
              selectHost(h.id);
            }}
          >
            <TreeItemLayout iconBefore={away ? <PlugDisconnected20Regular /> : <Server20Regular />} className={mergeClasses(s.layout, isSel && s.selected, away && s.away)}>
              {hostLabel(h)}
              {away && <span className={s.note}> ({h.connection === 'connecting' ? 'connecting' : 'disconnected'})</span>}
            </TreeItemLayout>
          </TreeItem>
        );
      })}
    </>
  );
}
