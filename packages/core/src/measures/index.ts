export * from './measures';
export * from './rollup';
