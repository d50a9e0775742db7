import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useConsole } from '../state/app-stores';
import { closeDialog } from '../state/ui-store';

const useStyles = makeStyles({
  p: { margin: '0 0 12px', lineHeight: tokens.lineHeightBase300 },
  table: { borderCollapse: 'collapse', fontSize: tokens.fontSizeBase200, width: '100%' },
  key: { padding: '3px 16px 3px 0', whiteSpace: 'nowrap', fontFamily: tokens.fontFamilyMonospace, verticalAlign: 'top' },
  cell: { padding: '3px 0', color: tokens.colorNeutralForeground2 },
  h: { margin: '0 0 6px', fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
});

const SHORTCUTS: readonly [string, string][] = [
  ['Enter / double-click', 'Connect to the selected virtual machine'],
  ['Delete', 'Delete the selected virtual machines'],
  ['F2', 'Rename the selected virtual machine'],
  ['Shift+F10, Menu key', 'Open the actions menu of the selection'],
  ['↑ ↓ Home End PgUp PgDn', 'Move in the list (Shift extends the selection)'],
  ['Ctrl+click, Ctrl+Space', 'Add to or remove from the selection'],
  ['Ctrl+A', 'Select all virtual machines'],
  ['Ctrl+← / → on a header', 'Make the column narrower or wider'],
  ['F5', 'Refresh'],
];

export function AboutDialog() {
  const s = useStyles();
  const host = useConsole((st) => st.host);
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && closeDialog()}>
      <DialogSurface style={{ maxWidth: 520 }} data-testid="about-dialog">
        <DialogBody>
          <DialogTitle>About Viridian Manager</DialogTitle>
          <DialogContent>
            <p className={s.p}>
              Viridian manages virtual machines on QEMU.
              {host !== null && ` Engine ${host.version} on ${host.hostname} (${host.platform})${host.qemu.version !== null ? `, QEMU ${host.qemu.version}` : ''}.`}
            </p>
            <h3 className={s.h}>Keyboard shortcuts</h3>
            <table className={s.table}>
              <tbody>
                {SHORTCUTS.map(([k, v]) => (
                  <tr key={k}>
                    <td className={s.key}>{k}</td>
                    <td className={s.cell}>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={closeDialog}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
