/**
 * Where the database's files live in the code tree. A module of its own so that code reading the migrations (the
 * readiness check in lib/health, snapshots) does not load db/client, which itself imports lib/health.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The drizzle migrations (SQL files and meta/_journal.json). */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
