export * from './decimal';
export * from './values';
export * from './ids';
export * from './instrument';
export * from './order';
export * from './fill';
export * from './position';
