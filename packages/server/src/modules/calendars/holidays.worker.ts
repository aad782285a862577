/**
 * The daily check of holiday feeds (holidays.commands.ts `checkHolidayFeeds`): hourly passes, each fetching the feeds
 * not checked for a day (claimed with FOR UPDATE SKIP LOCKED, so several processes may run it). It only leaves pending
 * updates and notifies admins; an admin confirms. Scheduling, back-off, stop and metrics are the worker base's.
 */
import type { WorkerFactory } from '../module';
import { PollingWorker } from '../../lib/worker';
import { checkHolidayFeeds } from './holidays.commands';

export const HOLIDAY_FEED_POLL_MS = 3_600_000;

export const holidayFeedWorker: WorkerFactory = (deps, log) =>
  new PollingWorker({
    name: 'holiday-feeds',
    database: deps.database,
    pollMs: HOLIDAY_FEED_POLL_MS,
    firstPassMs: 30_000,
    unref: true,
    log,
    batch: async () => ({ handled: await checkHolidayFeeds(deps.database) }),
  });
