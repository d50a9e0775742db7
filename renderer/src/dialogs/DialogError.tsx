import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ErrorInfo } from '../../../core/contract';

/** An engine error inside a dialog: the sentence as title, the fix below. */
export function DialogError({ error }: { error: ErrorInfo | null }) {
  if (error === null) return null;
  return (
    <MessageBar intent="error" layout="multiline" data-testid="dialog-error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{error.message}</MessageBarTitle>
        {error.hint}
      </MessageBarBody>
    </MessageBar>
  );
}
