export * from './calendar/index';
