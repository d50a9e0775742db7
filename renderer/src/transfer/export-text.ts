/** What an export copies, as a sentence list: "settings, disks and snapshots" (and the saved state when there is one). */
export function exportContents(hasSavedState: boolean): string {
  const parts = ['settings', 'disks', 'snapshots', ...(hasSavedState ? ['saved state'] : [])];
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}
