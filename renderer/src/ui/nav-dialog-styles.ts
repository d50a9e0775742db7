import { makeStyles, tokens } from '@fluentui/react-components';

/**
 * The Hyper-V "navigation dialog" shell shared by Settings and the Virtual
 * Network Manager: a titled surface, a grouped list on the left, the selected
 * page on the right, actions below. Each dialog adds its sizes and columns.
 */
export const useNavDialogStyles = makeStyles({
  surface: { maxWidth: 'calc(100vw - 48px)', padding: 0 },
  body: { display: 'flex', flexDirection: 'column', gap: 0 },
  title: { padding: '14px 20px', borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, fontSize: tokens.fontSizeBase400 },
  main: { display: 'flex', flexGrow: 1, minHeight: 0, padding: 0, overflow: 'hidden' },
  nav: { flexShrink: 0, overflowY: 'auto', backgroundColor: tokens.colorNeutralBackground2, borderRight: `1px solid ${tokens.colorNeutralStroke2}`, padding: '6px 0 12px' },
  group: { margin: 0, padding: '10px 14px 4px', fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightSemibold, color: tokens.colorNeutralForeground3, textTransform: 'uppercase', letterSpacing: '0.04em' },
  list: { margin: 0, padding: 0, listStyleType: 'none' },
  entry: {
    display: 'grid',
    columnGap: '8px',
    alignItems: 'center',
    width: '100%',
    border: 'none',
    borderLeft: '3px solid transparent',
    background: 'none',
    color: tokens.colorNeutralForeground1,
    font: 'inherit',
    textAlign: 'start',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  selected: { borderLeft: `3px solid ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorNeutralBackground1, ':hover': { backgroundColor: tokens.colorNeutralBackground1 } },
  entryTitle: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  entryDetail: { fontSize: tokens.fontSizeBase100, color: tokens.colorNeutralForeground3 },
  page: { flexGrow: 1, minWidth: 0, overflowY: 'auto', padding: '16px 24px 20px', display: 'flex', flexDirection: 'column', gap: '14px' },
  pageTitle: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  actions: { justifyContent: 'flex-end', padding: '12px 20px', borderTop: `1px solid ${tokens.colorNeutralStroke2}`, backgroundColor: tokens.colorNeutralBackground2 },
});
