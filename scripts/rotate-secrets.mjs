#!/usr/bin/env node
// `npm run rotate-secrets`: re-encrypt every stored secret under CHIDU_SECRET_KEY (see docs/security.md).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(path.join(root, 'packages/server/src/rotate-secrets.ts')).href);
