// Helpers for the monitoring tests: finding the Prometheus tools, reading names out of PromQL and
// out of the app's registry, and pulling rule expressions out of monitoring/alerts.yml.
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const monitoringDir = path.join(repoRoot, 'monitoring');

/** CI installs prometheus and prometheus-alertmanager (.ci/run); there a missing tool is a failure, not a skip. */
export const isCi = (): boolean => process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

/** The first of `names` found on PATH, or null. */
export function findExecutable(names: readonly string[]): string | null {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return null;
}

export interface Tool {
  name: string;
  path: string | null;
  /** True only outside CI when the tool is missing: the suite is skipped with `reason` printed. */
  skip: boolean;
  reason: string;
}

/**
 * Looks a tool up once per test file. Outside CI a missing tool skips its tests with a printed
 * reason; in CI the tests run and fail through `require()`.
 */
export function tool(name: string, candidates: readonly string[], debianPackage: string): Tool & { require(): string } {
  const found = findExecutable(candidates);
  const reason = `${name} not found on PATH (looked for ${candidates.join(', ')}); install Debian's ${debianPackage} package — CI installs it in .ci/run`;
  const skip = found === null && !isCi();
  if (skip) console.warn(`SKIPPED monitoring tests that need ${name}: ${reason}`);
  return {
    name,
    path: found,
    skip,
    reason,
    require() {
      if (found === null) throw new Error(reason);
      return found;
    },
  };
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2', 'start', 'end']);

/**
 * Metric names referenced by a PromQL expression. Good enough for the expressions in this repo:
 * strings, label matchers, ranges, grouping clauses, Grafana variables and function calls are
 * removed, and what is left that looks like a name is a metric.
 */
export function promqlMetricNames(expression: string): string[] {
  let rest = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // function calls and aggregations: an identifier directly followed by "("
  rest = rest.replace(/\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(/g, ' ');
  const names = new Set<string>();
  for (const match of rest.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    if (PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** Series names a text exposition can produce: histogram and summary families expand to their suffixes. */
export function exportedSeriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typed === null) continue;
    const [, name, type] = typed as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Series Prometheus makes itself (not the app's to export). */
export const PROMETHEUS_SYNTHETIC_SERIES: ReadonlySet<string> = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);

export interface AlertRule {
  alert: string;
  expr: string;
  for: string | null;
  severity: string | null;
}

/**
 * The alerting rules of a rules file, read line by line (the repo has no YAML parser, and the
 * rules file keeps to one layout: `- alert:`, `expr:` inline or as a `|` block, `for:`, `severity:`).
 * promtool checks the file itself; this only needs the names, expressions and severities.
 */
export function readAlertRules(file: string): AlertRule[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const rules: AlertRule[] = [];
  let current: AlertRule | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const alert = /^\s*- alert:\s*(\S+)\s*$/.exec(line);
    if (alert !== null) {
      current = { alert: alert[1]!, expr: '', for: null, severity: null };
      rules.push(current);
      continue;
    }
    if (current === null) continue;
    const expr = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (expr !== null) {
      const indent = expr[1]!.length;
      if (expr[2]!.trim() === '|') {
        const block: string[] = [];
        while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)) block.push(lines[++i]!.trim());
        current.expr = block.join('\n').trim();
      } else current.expr = expr[2]!.trim();
      continue;
    }
    const forClause = /^\s*for:\s*(\S+)\s*$/.exec(line);
    if (forClause !== null) current.for = forClause[1]!;
    const severity = /^\s*severity:\s*(\S+)\s*$/.exec(line);
    if (severity !== null) current.severity = severity[1]!;
  }
  return rules;
}
