import { useEffect } from 'react';
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { EngineContext, type EngineApi } from '../engine/engine-context';
import { ErrorBoundary } from '../app/ErrorBoundary';
import { useGlobalStyles } from '../app/global-styles';
import { usePrefersDark } from '../app/use-color-scheme';
import { VmConnectionPage } from './VmConnectionPage';

/** The VM Connection window's (or tab's) whole page. */
export function VmConnectionRoot({ engine, vmId }: { engine: EngineApi; vmId: string }) {
  useGlobalStyles();
  const dark = usePrefersDark();
  useEffect(() => {
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} style={{ height: '100%' }}>
      <EngineContext.Provider value={engine}>
        <ErrorBoundary>
          <VmConnectionPage engine={engine} vmId={vmId} />
        </ErrorBoundary>
      </EngineContext.Provider>
    </FluentProvider>
  );
}
