import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  message: string | null;
}

/** A render fault shows a sentence and a way back, never a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { message: null };

  static getDerivedStateFromError(err: unknown): State {
    return { message: err instanceof Error ? err.message : String(err) };
  }

  override componentDidCatch(err: unknown, info: ErrorInfo): void {
    console.error('console render error', err, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.message === null) return this.props.children;
    return (
      <div role="alert" data-testid="render-error" style={{ padding: 24, fontFamily: 'system-ui, sans-serif' }}>
        <h2 style={{ marginTop: 0 }}>The console hit a problem and stopped drawing this view.</h2>
        <p>Your virtual machines are not affected: they keep running in the engine.</p>
        <p style={{ color: '#666' }}>{this.state.message}</p>
        <button type="button" onClick={() => location.reload()}>
          Reload the console
        </button>
      </div>
    );
  }
}
