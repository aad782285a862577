export * from './measures';
export * from './rollup';
export * from './outcomes';
