import type { VmAction } from '../../../core/contract';

export interface ConfirmText {
  title: string;
  /** What happens and what is lost, in plain words. */
  body: string;
  button: string;
}

function subject(names: readonly string[]): string {
  return names.length === 1 ? `“${names[0] ?? ''}”` : `${names.length} virtual machines`;
}

/** The confirmations for actions that lose something (Turn Off, Shut Down, Delete Saved State, Revert). */
export function confirmText(action: VmAction, names: readonly string[]): ConfirmText {
  const who = subject(names);
  switch (action) {
    case 'turnOff':
      return {
        title: `Turn off ${who}?`,
        body: 'Turning off is like pulling the power cord: unsaved data in the guest is lost. Use Shut Down to let the operating system close cleanly.',
        button: 'Turn Off',
      };
    case 'shutDown':
      return {
        title: `Shut down ${who}?`,
        body: 'The guest operating system is asked to shut down, as if its power button were pressed. Programs in the guest may ask to save their work; if the guest does not respond, it keeps running and you can turn it off.',
        button: 'Shut Down',
      };
    case 'deleteSavedState':
      return {
        title: `Delete the saved state of ${who}?`,
        body: 'The saved memory is discarded and the next start is a fresh boot, as after a power cut: anything unsaved in the guest is lost. The disks are kept.',
        button: 'Delete Saved State',
      };
    case 'revert':
      return {
        title: `Revert ${who}?`,
        body: 'The virtual machine goes back to its last snapshot: everything since then, on disk and in memory, is lost.',
        button: 'Revert',
      };
    default:
      return { title: `${action} ${who}?`, body: '', button: 'OK' };
  }
}
