import { describe, expect, test } from 'vitest';
import { errorForField, isFormLevelError } from './result-text';

describe('field errors from engine results', () => {
  const validation = {
    type: 'validation' as const,
    message: 'request.path: Too small: expected string to have >=1 characters; request.instrumentId: Required',
    paths: ['request.path', 'request.instrumentId'],
  };

  test('picks the reason for the field it names, with or without the request prefix', () => {
    expect(errorForField(validation, 'path')).toBe('Too small: expected string to have >=1 characters');
    expect(errorForField(validation, 'instrumentId')).toBe('Required');
    expect(errorForField({ type: 'not_found', message: 'no file at /x.csv', paths: ['path'] }, 'path')).toBe('no file at /x.csv');
  });

  test('leaves fields the error does not name alone', () => {
    expect(errorForField(validation, 'name')).toBeNull();
    expect(errorForField({ type: 'internal', message: 'boom' }, 'path')).toBeNull();
  });

  test('does not mistake the command name in an unknown-command error for a form field called name', () => {
    const unknownCommand = { type: 'validation' as const, message: 'unknown command: "recordings.importCsv"', paths: ['name'] };
    expect(errorForField(unknownCommand, 'name')).toBeNull();
    expect(isFormLevelError(unknownCommand, ['path', 'instrumentId', 'name'])).toBe(true);
    expect(errorForField({ type: 'validation', message: 'request.name: Too big', paths: ['request.name'] }, 'name')).toBe('Too big');
  });

  test('treats an error naming no known field as form level', () => {
    expect(isFormLevelError({ type: 'internal', message: 'boom' }, ['path'])).toBe(true);
    expect(isFormLevelError(validation, ['path', 'instrumentId'])).toBe(false);
    expect(isFormLevelError(null, ['path'])).toBe(false);
  });
});
