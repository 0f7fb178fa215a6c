export * from './result';
export * from './parse';
export * from './schemas';
export * from './events';
export * from './commands';
export * from './settings';
