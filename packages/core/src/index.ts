export * from './calendar/index';
export * from './measures/index';
