import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { StrategyEntryDto, ValidationIssueDto } from '../../../src-shared/contract/ui-commands';
import { useApp } from '../../app/app-context';
import { formatDateTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { lineOf, locate, scanJson, type Span } from './json-locate';
import { entryKey } from './library-store';

/** How long typing must pause before the engine is asked to validate. */
const VALIDATE_AFTER_MS = 350;

interface LocatedIssue extends ValidationIssueDto {
  span: Span | null;
  line: number | null;
}

/** Engine paths name `request.definition.<path>` on save; the editor knows `<path>`. */
const editorPath = (path: string): string => (path === 'request.definition' ? '(root)' : path.replace(/^request\.definition\./, ''));

function issuesFromSaveError(message: string, paths: readonly string[] | undefined): ValidationIssueDto[] {
  const issues: ValidationIssueDto[] = [];
  for (const part of message.split('; ')) {
    const path = [...(paths ?? [])].sort((a, b) => b.length - a.length).find((candidate) => part.startsWith(`${candidate}: `));
    if (path !== undefined) issues.push({ path: editorPath(path), message: part.slice(path.length + 2) });
    else if (issues.length > 0) issues[issues.length - 1]!.message += `; ${part}`;
    else issues.push({ path: '(root)', message: part });
  }
  return issues;
}

export function StrategyEditor() {
  const { library } = useApp();
  const entries = useStore(library, (state) => state.entries);
  const loadError = useStore(library, (state) => state.loadError);
  const engineIssues = useStore(library, (state) => state.issues);
  const checking = useStore(library, (state) => state.checking);
  const saving = useStore(library, (state) => state.saving);
  const saveError = useStore(library, (state) => state.saveError);
  const lastSaved = useStore(library, (state) => state.lastSaved);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [text, setText] = useState('');
  const textarea = useRef<HTMLTextAreaElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  const open = useCallback(
    (entry: StrategyEntryDto) => {
      setLoadedKey(entryKey(entry));
      setText(`${JSON.stringify(entry.definition, null, 2)}\n`);
      library.getState().clearResult();
    },
    [library],
  );

  // start on the first strategy once the library is there
  useEffect(() => {
    if (loadedKey === null && entries[0] !== undefined) open(entries[0]);
  }, [entries, loadedKey, open]);

  const scan = useMemo(() => scanJson(text), [text]);

  useEffect(() => {
    if (!scan.ok || text.trim() === '') return;
    const timer = setTimeout(() => void library.getState().validate(scan.value), VALIDATE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [scan, text, library]);

  const issues: LocatedIssue[] = useMemo(() => {
    if (!scan.ok) return [{ path: '(syntax)', message: scan.message, span: { start: scan.offset, end: scan.offset + 1 }, line: lineOf(text, scan.offset) }];
    const raw = saveError !== null && saveError.type === 'validation' ? issuesFromSaveError(saveError.message, saveError.paths) : (engineIssues ?? []);
    return raw.map((issue) => {
      const span = locate(scan.spans, issue.path);
      return { ...issue, span, line: span === null ? null : lineOf(text, span.start) };
    });
  }, [scan, text, engineIssues, saveError]);

  const errorLines = useMemo(() => new Set(issues.map((issue) => issue.line).filter((line): line is number => line !== null)), [issues]);
  const lines = useMemo(() => text.split('\n'), [text]);
  const loaded = entries.find((entry) => entryKey(entry) === loadedKey);
  const name = scan.ok && typeof scan.value === 'object' && scan.value !== null ? (scan.value as { strategy_name?: unknown }).strategy_name : undefined;

  const jumpTo = (issue: LocatedIssue): void => {
    const area = textarea.current;
    if (area === null || issue.span === null) return;
    area.focus();
    area.setSelectionRange(issue.span.start, issue.span.end);
    const lineHeight = 18;
    area.scrollTop = Math.max(0, ((issue.line ?? 1) - 4) * lineHeight);
    syncScroll();
  };

  const syncScroll = (): void => {
    const area = textarea.current;
    if (area === null) return;
    if (backdrop.current !== null) backdrop.current.scrollTop = area.scrollTop;
    if (gutter.current !== null) gutter.current.scrollTop = area.scrollTop;
  };

  const save = async (): Promise<void> => {
    if (!scan.ok) return;
    const saved = await library.getState().save(scan.value);
    if (saved !== null) setLoadedKey(entryKey(saved));
  };

  const format = (): void => {
    if (scan.ok) setText(`${JSON.stringify(scan.value, null, 2)}\n`);
  };

  const valid = scan.ok && !checking && engineIssues !== null && engineIssues.length === 0 && issues.length === 0;
  const stored = entries.filter((entry) => entry.source === 'stored');
  const examples = entries.filter((entry) => entry.source === 'example');

  return (
    <div className="screen screen-strategies" data-testid="strategy-editor">
      <aside className="column column-left">
        <Panel title="Strategies" meta={String(entries.length)} className="panel-grow">
          {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
          {[
            ['Saved', stored],
            ['Examples', examples],
          ].map(([title, list]) => (
            <div key={title as string} className="library-group">
              <div className="library-title">{title as string}</div>
              {(list as StrategyEntryDto[]).length === 0 ? <div className="muted library-empty">none yet</div> : null}
              <ul className="list">
                {(list as StrategyEntryDto[]).map((entry) => (
                  <li key={entryKey(entry)}>
                    <button type="button" className={`list-row${entryKey(entry) === loadedKey ? ' is-focused' : ''}`} onClick={() => open(entry)} data-testid="library-entry" data-key={entryKey(entry)}>
                      <span className="list-row-title">{entry.name}</span>
                      <span className="row-end muted mono">{entry.updatedAt === null ? (entry.file ?? '') : formatDateTime(entry.updatedAt)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </Panel>
      </aside>
      <div className="column column-main">
        <Panel
          title={typeof name === 'string' && name !== '' ? name : 'Strategy'}
          meta={loaded === undefined ? undefined : loaded.source === 'example' ? 'example (saving stores a copy)' : 'saved'}
          className="panel-grow panel-editor"
          actions={
            <>
              <span className={`editor-status ${valid ? 'positive' : issues.length > 0 ? 'negative' : 'muted'}`} data-testid="editor-status">
                {!scan.ok ? 'JSON syntax error' : checking ? 'checking…' : issues.length > 0 ? `${issues.length} problem${issues.length === 1 ? '' : 's'}` : valid ? '✓ valid' : ''}
              </span>
              <button type="button" className="button button-small" onClick={format} disabled={!scan.ok} title="Re-indent the JSON">
                Format
              </button>
              {loaded?.source === 'stored' ? (
                <button type="button" className="button button-small" onClick={() => void library.getState().remove(loaded.id).then(() => setLoadedKey(null))} data-testid="editor-delete">
                  Delete
                </button>
              ) : null}
              <button type="button" className="button button-small button-primary" onClick={() => void save()} disabled={!scan.ok || saving} data-testid="editor-save">
                {saving ? 'Saving…' : 'Save'}
              </button>
            </>
          }
        >
          {entries.length === 0 && loadError === null ? <EmptyState>Loading strategies…</EmptyState> : null}
          <div className="code-editor">
            <div className="code-gutter mono" ref={gutter} aria-hidden="true">
              {lines.map((_, index) => (
                <div key={index} className={errorLines.has(index + 1) ? 'is-error' : undefined}>
                  {index + 1}
                </div>
              ))}
            </div>
            <div className="code-stack">
              <div className="code-backdrop mono" ref={backdrop} aria-hidden="true">
                {lines.map((line, index) => (
                  <div key={index} className={errorLines.has(index + 1) ? 'is-error' : undefined} data-testid={errorLines.has(index + 1) ? 'error-line' : undefined} data-line={index + 1}>
                    {line === '' ? ' ' : line}
                  </div>
                ))}
              </div>
              <textarea
                ref={textarea}
                className="code-input mono"
                value={text}
                onChange={(event) => {
                  setText(event.target.value);
                  library.getState().clearResult();
                }}
                onScroll={syncScroll}
                spellCheck={false}
                autoCapitalize="off"
                autoComplete="off"
                wrap="off"
                aria-label="Strategy JSON"
                data-testid="editor-text"
              />
            </div>
          </div>
          <div className="editor-issues" data-testid="editor-issues">
            {issues.map((issue, index) => (
              <button type="button" key={`${issue.path}-${index}`} className="issue" onClick={() => jumpTo(issue)} data-testid="editor-issue" data-path={issue.path} title="Show it in the editor">
                <span className="mono issue-path">{issue.path}</span>
                {issue.line !== null ? <span className="muted mono">line {issue.line}</span> : null}
                <span className="issue-message">{issue.message}</span>
              </button>
            ))}
            {saveError !== null && saveError.type === 'validation' ? (
              <div className="form-note negative" data-testid="editor-save-refused">
                Not saved: the engine refused the definition (see above).
              </div>
            ) : null}
            {saveError !== null && saveError.type !== 'validation' ? <ErrorText>{saveError.message}</ErrorText> : null}
            {lastSaved !== null && saveError === null ? (
              <div className="form-note positive" data-testid="editor-saved">
                Saved as “{lastSaved.name}” ({lastSaved.id}).
              </div>
            ) : null}
          </div>
        </Panel>
      </div>
    </div>
  );
}
