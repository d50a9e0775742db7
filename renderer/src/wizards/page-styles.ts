import { makeStyles, tokens } from '@fluentui/react-components';

export const usePageStyles = makeStyles({
  intro: { margin: 0, color: tokens.colorNeutralForeground2, lineHeight: tokens.lineHeightBase300, maxWidth: '560px' },
  fields: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '520px' },
  row: { display: 'flex', gap: '12px', alignItems: 'flex-start', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '200px' },
  indent: { marginLeft: '28px', display: 'flex', flexDirection: 'column', gap: '10px', maxWidth: '492px' },
  narrow: { width: '160px' },
  list: { margin: 0, paddingLeft: '20px', color: tokens.colorNeutralForeground2, lineHeight: tokens.lineHeightBase400 },
  summary: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: '20px',
    rowGap: '6px',
    margin: 0,
    padding: '12px 14px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  key: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  note: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, margin: 0 },
});
