import { Component, type ErrorInfo, type ReactNode } from 'react';

interface PanelBoundaryProps {
  name: string;
  children: ReactNode;
}

/** One broken view must not blank the whole terminal: the others keep showing positions and alerts. */
export class PanelBoundary extends Component<PanelBoundaryProps, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`[surge] ${this.props.name} crashed`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <section className="panel panel-crashed" role="alert">
        <header className="panel-header">
          <h2 className="panel-title">{this.props.name}</h2>
          <div className="panel-actions">
            <button type="button" className="button button-small" onClick={() => this.setState({ error: null })}>
              Retry
            </button>
          </div>
        </header>
        <div className="panel-body">
          <div className="error-text">This panel failed: {this.state.error.message}</div>
        </div>
      </section>
    );
  }
}
