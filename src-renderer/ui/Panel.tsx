import type { ReactNode } from 'react';

interface PanelProps {
  title: string;
  /** Small text next to the title: a count, a filter. */
  meta?: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
  children: ReactNode;
}

export function Panel({ title, meta, actions, className, testId, children }: PanelProps) {
  return (
    <section className={`panel${className === undefined ? '' : ` ${className}`}`} data-testid={testId}>
      <header className="panel-header">
        <h2 className="panel-title">{title}</h2>
        {meta === undefined ? null : <span className="panel-meta">{meta}</span>}
        <div className="panel-actions">{actions}</div>
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}

export function ErrorText({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="error-text" role="alert" data-testid={testId}>
      {children}
    </div>
  );
}
