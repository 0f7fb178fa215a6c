import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { StrategyEntryDto, ValidationIssueDto } from '../../../src-shared/contract/ui-commands';
import { strategyId, validateStrategy } from '../../../src-shared/strategy/schema';
import type { Store } from '../store/store';

export interface ExampleStrategy {
  file: string;
  name: string;
  definition: unknown;
}

/**
 * Splits a validation result into one issue per failing path. The strategy validator joins
 * `path: message` lines with "; "; each line is matched to the longest path it starts with, so a
 * message that itself contains "; " stays with its path.
 */
export function validationIssues(message: string, paths: readonly string[]): ValidationIssueDto[] {
  const byLength = [...paths].sort((a, b) => b.length - a.length);
  const issues: ValidationIssueDto[] = [];
  for (const part of message.split('; ')) {
    const path = byLength.find((candidate) => part.startsWith(`${candidate}: `));
    if (path !== undefined) issues.push({ path, message: part.slice(path.length + 2) });
    else if (issues.length > 0) issues[issues.length - 1]!.message += `; ${part}`;
    else issues.push({ path: paths[0] ?? '(root)', message: part });
  }
  // a path the message never spelled out still gets a line of its own
  for (const path of paths) if (!issues.some((issue) => issue.path === path)) issues.push({ path, message: 'invalid' });
  return issues;
}

/** Renders a strategy path under a request field: `(root)` is the field itself. */
const under = (prefix: string, path: string): string => (path === '(root)' ? prefix : `${prefix}.${path}`);

/**
 * The trader's strategies: the bundled examples (read-only files) and saved ones (the store).
 * A definition is validated whole before it is saved; nothing half-valid is ever stored.
 */
export class StrategyLibrary {
  constructor(
    private readonly store: Store,
    private readonly examples: () => readonly ExampleStrategy[],
  ) {}

  validate(definition: unknown): { valid: boolean; errors: ValidationIssueDto[] } {
    const result = validateStrategy(definition);
    if (result.ok) return { valid: true, errors: [] };
    return { valid: false, errors: validationIssues(result.error.message, result.error.paths ?? []) };
  }

  list(): StrategyEntryDto[] {
    const stored: StrategyEntryDto[] = this.store.strategies.list().map((strategy) => ({
      id: strategy.id,
      name: strategy.name,
      source: 'stored',
      file: null,
      definition: strategy.definition,
      updatedAt: strategy.updatedAt,
    }));
    const examples: StrategyEntryDto[] = this.examples().map((example) => {
      const parsed = validateStrategy(example.definition);
      return {
        id: parsed.ok ? strategyId(parsed.value) : example.file.replace(/\.json$/, ''),
        name: example.name,
        source: 'example',
        file: example.file,
        definition: example.definition,
        updatedAt: null,
      };
    });
    return [...stored, ...examples];
  }

  save(definition: unknown): Result<StrategyEntryDto> {
    const result = validateStrategy(definition);
    if (!result.ok) {
      const issues = validationIssues(result.error.message, result.error.paths ?? []);
      return err(
        'validation',
        issues.map((issue) => `${under('request.definition', issue.path)}: ${issue.message}`).join('; '),
        issues.map((issue) => under('request.definition', issue.path)),
      );
    }
    // validateStrategy accepted an object; what is stored is the JSON as the trader wrote it
    const saved = this.store.strategies.save({
      id: strategyId(result.value),
      name: result.value.strategy_name,
      definition: definition as Record<string, unknown>,
      enabled: result.value.enabled,
    });
    return ok({ id: saved.id, name: saved.name, source: 'stored', file: null, definition: saved.definition, updatedAt: saved.updatedAt });
  }

  handlers(): PartialHandlers {
    return {
      'strategies.validate': async ({ definition }) => ok(this.validate(definition)),
      'strategies.list': async () => ok(this.list()),
      'strategies.save': async ({ definition }) => this.save(definition),
      'strategies.delete': async ({ id }) => ok({ deleted: this.store.strategies.delete(id) }),
    };
  }
}
