import { makeStaticStyles } from '@fluentui/react-components';

/** The page is an application window: no page scroll, no margins. */
export const useGlobalStyles = makeStaticStyles({
  'html, body, #root': { height: '100%', margin: 0, padding: 0, overflow: 'hidden' },
  body: { fontFamily: "'Segoe UI', 'Segoe UI Web (West European)', system-ui, -apple-system, 'Noto Sans', 'Helvetica Neue', sans-serif" },
});
