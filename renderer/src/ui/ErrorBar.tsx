import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles } from '@fluentui/react-components';
import { Dismiss16Regular } from '@fluentui/react-icons';
import { dismissError, useUi, uiStore } from '../state/ui-store';

const useStyles = makeStyles({
  hint: { display: 'block', marginTop: '2px' },
});

/** The latest engine error: its sentence and its fix, never a stack trace. */
export function ErrorBar() {
  const s = useStyles();
  const errors = useUi((st) => st.errors);
  const top = errors[0];
  if (top === undefined) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="error-bar" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{top.context === null ? 'The operation failed' : `${top.context} failed`}</MessageBarTitle>
        {top.message}
        {top.hint !== undefined && <span className={s.hint}>{top.hint}</span>}
      </MessageBarBody>
      <MessageBarActions
        containerAction={<Button aria-label="Dismiss" appearance="transparent" size="small" icon={<Dismiss16Regular />} onClick={() => dismissError(top.id)} />}
      >
        {errors.length > 1 && (
          <Button size="small" onClick={() => uiStore.setState({ errors: [] })}>
            Dismiss all ({errors.length})
          </Button>
        )}
      </MessageBarActions>
    </MessageBar>
  );
}
