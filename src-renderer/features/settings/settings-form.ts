import type { z } from 'zod';
import { mergeSettings, SettingsSchema, validateSettings, type Settings } from '../../../src-shared/contract/settings';

/**
 * The settings form is generated from the settings schema, so a setting added to the engine
 * shows up here with the right input and the same validation, with no second list to keep.
 */
export type FieldKind =
  | { type: 'boolean' }
  | { type: 'number' }
  | { type: 'string'; nullable: boolean }
  | { type: 'enum'; options: string[]; nullable: boolean }
  | { type: 'number-list' };

export interface FieldSpec {
  /** `risk.maxOpenPositions`: also the path engine errors name (after `request.patch.`). */
  path: string;
  /** The top-level group (`risk`) and, for nested groups, the sub-group title. */
  group: string;
  subgroup: string | null;
  label: string;
  kind: FieldKind;
}

interface ZodDefLike {
  type: string;
  innerType?: ZodLike;
  shape?: Record<string, ZodLike>;
  entries?: Record<string, string>;
  element?: ZodLike;
  in?: ZodLike;
}
interface ZodLike {
  _zod: { def: ZodDefLike };
}

/** Strips default/prefault/optional/nullable wrappers; tells whether null is allowed. */
function unwrap(schema: ZodLike): { def: ZodDefLike; nullable: boolean } {
  let current = schema;
  let nullable = false;
  for (;;) {
    const def = current._zod.def;
    if (def.type === 'nullable') nullable = true;
    if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly') && def.innerType !== undefined) {
      current = def.innerType;
      continue;
    }
    if (def.type === 'pipe' && def.in !== undefined) {
      current = def.in;
      continue;
    }
    return { def, nullable };
  }
}

/** `maxOpenPositions` → `Max open positions`; unit suffixes read as units. */
export function humanize(key: string): string {
  const words = key
    .replace(/Ms$/, ' (ms)')
    .replace(/Pct$/, ' (%)')
    .replace(/Bps$/, ' (bps)')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function settingsFields(schema: z.ZodType = SettingsSchema): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const walk = (node: ZodLike, path: string[], group: string, subgroup: string | null): void => {
    const { def, nullable } = unwrap(node);
    if (def.type === 'object' && def.shape !== undefined) {
      for (const [key, child] of Object.entries(def.shape)) {
        const childGroup = path.length === 0 ? key : group;
        const childSub = path.length === 1 ? (unwrap(child).def.type === 'object' ? humanize(key) : null) : subgroup;
        walk(child, [...path, key], childGroup, childSub);
      }
      return;
    }
    const key = path[path.length - 1] ?? '';
    let kind: FieldKind;
    if (def.type === 'boolean') kind = { type: 'boolean' };
    else if (def.type === 'number') kind = { type: 'number' };
    else if (def.type === 'enum') kind = { type: 'enum', options: Object.values(def.entries ?? {}), nullable };
    else if (def.type === 'array') kind = { type: 'number-list' };
    else kind = { type: 'string', nullable };
    fields.push({ path: path.join('.'), group, subgroup, label: humanize(key), kind });
  };
  walk(schema as unknown as ZodLike, [], '', null);
  return fields;
}

export function valueAt(settings: unknown, path: string): unknown {
  let current: unknown = settings;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** What an input shows for a value. */
export function toInput(kind: FieldKind, value: unknown): string | boolean {
  switch (kind.type) {
    case 'boolean':
      return value === true;
    case 'number-list':
      return Array.isArray(value) ? value.join(', ') : '';
    case 'number':
      return typeof value === 'number' ? String(value) : '';
    case 'string':
    case 'enum':
      return typeof value === 'string' ? value : '';
  }
}

/** An input back to a value, or a problem the trader can act on before anything is sent. */
export function fromInput(kind: FieldKind, input: string | boolean): { value: unknown } | { problem: string } {
  switch (kind.type) {
    case 'boolean':
      return { value: input === true };
    case 'number': {
      const text = String(input).trim();
      const value = Number(text);
      return text === '' || !Number.isFinite(value) ? { problem: 'must be a number' } : { value };
    }
    case 'number-list': {
      const parts = String(input).split(',').map((part) => part.trim()).filter((part) => part !== '');
      const values = parts.map(Number);
      return values.some((value) => !Number.isFinite(value)) ? { problem: 'must be numbers separated by commas' } : { value: values };
    }
    case 'string':
    case 'enum': {
      const text = String(input).trim();
      return text === '' && kind.nullable ? { value: null } : { value: text };
    }
  }
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (typeof next !== 'object' || next === null) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1]!] = value;
}

export interface FormCheck {
  /** Only the fields that changed, nested like the settings object. */
  patch: Record<string, unknown>;
  changed: number;
  /** Problems by field path: unreadable inputs and whatever the settings schema refuses. */
  problems: Record<string, string>;
}

/** Turns the form's inputs into a patch of what changed and checks it as the engine will. */
export function checkForm(fields: readonly FieldSpec[], settings: Settings, inputs: Readonly<Record<string, string | boolean>>): FormCheck {
  const patch: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  let changed = 0;
  for (const field of fields) {
    const input = inputs[field.path];
    if (input === undefined) continue;
    const parsed = fromInput(field.kind, input);
    if ('problem' in parsed) {
      problems[field.path] = parsed.problem;
      continue;
    }
    if (JSON.stringify(parsed.value) === JSON.stringify(valueAt(settings, field.path))) continue;
    setAt(patch, field.path, parsed.value);
    changed++;
  }
  const checked = validateSettings(mergeSettings(settings, patch));
  if (!checked.ok) {
    for (const part of checked.error.message.split('; ')) {
      const cut = part.indexOf(': ');
      const path = cut < 0 ? '(root)' : part.slice(0, cut);
      problems[path] ??= cut < 0 ? part : part.slice(cut + 2);
    }
  }
  return { patch, changed, problems };
}

/** Engine errors name `request.patch.risk.maxOpenPositions`; the form knows `risk.maxOpenPositions`. */
export function engineProblems(message: string, paths: readonly string[] | undefined): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const cut = part.indexOf(': ');
    if (cut < 0) continue;
    const path = part.slice(0, cut).replace(/^request\.patch\.?/, '');
    problems[path === '' ? '(root)' : path] = part.slice(cut + 2);
  }
  for (const path of paths ?? []) {
    const field = path.replace(/^request\.patch\.?/, '');
    problems[field === '' ? '(root)' : field] ??= message;
  }
  return problems;
}
