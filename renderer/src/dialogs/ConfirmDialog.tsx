import type { ReactNode } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { Warning24Filled } from '@fluentui/react-icons';

const useStyles = makeStyles({
  content: { display: 'flex', gap: '12px', alignItems: 'flex-start' },
  icon: { color: tokens.colorPaletteDarkOrangeForeground1, flexShrink: 0, marginTop: '2px' },
  body: { margin: 0, lineHeight: tokens.lineHeightBase300 },
});

export interface ConfirmDialogProps {
  title: ReactNode;
  /** What is lost, in one paragraph beside the warning icon. */
  body: ReactNode;
  /** Label of the primary button (the action itself, e.g. "Turn Off"). */
  confirmLabel: ReactNode;
  onConfirm: () => void;
  /** Cancel, Escape and clicking outside. */
  onCancel: () => void;
  testId?: string;
  maxWidth?: number;
}

/** The warning-and-two-buttons shell of every "are you sure?" dialog. */
export function ConfirmDialog({ title, body, confirmLabel, onConfirm, onCancel, testId = 'confirm-dialog', maxWidth = 480 }: ConfirmDialogProps) {
  const s = useStyles();
  return (
    <Dialog open modalType="alert" onOpenChange={(_, d) => !d.open && onCancel()}>
      <DialogSurface data-testid={testId} style={{ maxWidth }}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={s.content}>
            <Warning24Filled className={s.icon} aria-hidden="true" />
            <p className={s.body}>{body}</p>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onConfirm}>
              {confirmLabel}
            </Button>
            <Button onClick={onCancel}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
