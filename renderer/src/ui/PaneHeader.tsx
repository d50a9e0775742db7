import type { ReactNode } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: '8px',
    minHeight: '28px',
    paddingLeft: '10px',
    paddingRight: '6px',
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
    flexShrink: 0,
  },
  title: { flexGrow: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', margin: 0, font: 'inherit' },
});

/** The title strip of a console pane ("Virtual Machines", "Snapshots", …). */
export function PaneHeader({ title, id, children }: { title: ReactNode; id?: string; children?: ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.root}>
      <h2 className={s.title} id={id}>
        {title}
      </h2>
      {children}
    </div>
  );
}
