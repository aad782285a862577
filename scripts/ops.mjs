#!/usr/bin/env node
// `npm run backup | restore | move-to-postgres`: the logic is TypeScript in packages/server/src/ops (run via tsx).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { register } = await import('tsx/esm/api');
register();
const { runOps } = await import(pathToFileURL(path.join(root, 'packages/server/src/ops/cli.ts')).href);
const [command, ...args] = process.argv.slice(2);
process.exitCode = await runOps(command, args);
