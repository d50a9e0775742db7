import { useEffect } from 'react';
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { EngineContext, type EngineApi } from '../engine/engine-context';
import { ConsoleShell } from '../ui/ConsoleShell';
import { ErrorBoundary } from './ErrorBoundary';
import { useGlobalStyles } from './global-styles';
import { usePrefersDark } from './use-color-scheme';

/** Theme follows the system; the engine API comes from the caller (real connection or a test double). */
export function App({ engine }: { engine: EngineApi }) {
  useGlobalStyles();
  const dark = usePrefersDark();
  useEffect(() => {
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} style={{ height: '100%' }}>
      <EngineContext.Provider value={engine}>
        <ErrorBoundary>
          <ConsoleShell />
        </ErrorBoundary>
      </EngineContext.Provider>
    </FluentProvider>
  );
}
