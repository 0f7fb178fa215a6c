import { useEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  tone?: 'default' | 'danger';
  testId?: string;
}

/** A modal over the terminal: Esc (handled by the shortcut layer) or the backdrop closes it. */
export function Dialog({ title, onClose, children, footer, tone = 'default', testId }: DialogProps) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // keyboard users land inside the dialog, on its first button
    panel.current?.querySelector<HTMLElement>('button, input, select, textarea')?.focus();
  }, []);
  return (
    <div className="dialog-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div ref={panel} className={`dialog dialog-${tone}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header className="dialog-header">
          <h2>{title}</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close (Esc)" title="Close (Esc)">
            ×
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer === undefined ? null : <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>
  );
}
