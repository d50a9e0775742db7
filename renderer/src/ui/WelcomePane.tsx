import { Button, makeStyles, tokens } from '@fluentui/react-components';
import { Server20Regular } from '@fluentui/react-icons';
import { useConsole } from '../state/app-stores';
import { openDialog, uiStore } from '../state/ui-store';
import { PaneHeader } from './PaneHeader';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', backgroundColor: tokens.colorNeutralBackground1 },
  body: { padding: '20px 24px', display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '640px', fontSize: tokens.fontSizeBase300 },
  h: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  p: { margin: 0, color: tokens.colorNeutralForeground2, lineHeight: tokens.lineHeightBase300 },
  row: { display: 'flex', gap: '8px' },
});

/** What the root node shows, like Hyper-V Manager's welcome page. */
export function WelcomePane() {
  const s = useStyles();
  const host = useConsole((st) => st.host);
  return (
    <section className={s.root} aria-labelledby="welcome-title">
      <PaneHeader title="Viridian Manager" />
      <div className={s.body}>
        <h3 className={s.h} id="welcome-title">
          Viridian Manager
        </h3>
        <p className={s.p}>
          Viridian creates and runs virtual machines on QEMU. Select a server in the console tree to see its virtual machines, or
          connect to another server.
        </p>
        <div className={s.row}>
          {host !== null && (
            <Button icon={<Server20Regular />} onClick={() => uiStore.setState({ tree: 'host' })}>
              Open {host.hostname}
            </Button>
          )}
          <Button onClick={() => openDialog({ kind: 'connectServer' })}>Connect to Server…</Button>
        </div>
      </div>
    </section>
  );
}
