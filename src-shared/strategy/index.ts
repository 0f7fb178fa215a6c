export * from './schema';
export * from './evaluate';
