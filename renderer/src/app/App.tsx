import { useEffect, type ReactNode } from 'react';
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { EngineContext, type EngineApi } from '../engine/engine-context';
import { ConsoleShell } from '../ui/ConsoleShell';
import { ErrorBoundary } from './ErrorBoundary';
import { useGlobalStyles } from './global-styles';
import { usePrefersDark } from './use-color-scheme';

/**
 * What every page of the renderer sits in: the theme follows the system, the
 * engine API comes from the caller (real connection or a test double), and an
 * error boundary catches what a view throws.
 */
export function AppFrame({ engine, children }: { engine: EngineApi; children: ReactNode }) {
  useGlobalStyles();
  const dark = usePrefersDark();
  useEffect(() => {
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} style={{ height: '100%' }}>
      <EngineContext.Provider value={engine}>
        <ErrorBoundary>{children}</ErrorBoundary>
      </EngineContext.Provider>
    </FluentProvider>
  );
}

/** The console. */
export function App({ engine }: { engine: EngineApi }) {
  return (
    <AppFrame engine={engine}>
      <ConsoleShell />
    </AppFrame>
  );
}
