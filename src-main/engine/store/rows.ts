import type { Clock } from '../clock/clock';

/** The store reads time only to stamp rows it creates or changes; the engine passes its Clock. */
export type StoreClock = Pick<Clock, 'now'>;

export const toFlag = (value: boolean): 0 | 1 => (value ? 1 : 0);
export const fromFlag = (value: number): boolean => value === 1;

/** JSON written by this store; a row that fails to parse is corruption worth naming. */
export function parseJsonColumn<T>(text: string, table: string, column: string, key: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${table}.${column} of ${key} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Whether better-sqlite3 failed a statement because of a foreign key. */
export function isForeignKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
