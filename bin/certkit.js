#!/usr/bin/env node
// The `certkit` command: it runs the CLI bundle in dist/bundle/ (run `npm run build` after changing src/).
import { run } from '../dist/bundle/main.js';

// `certkit status | head` closes stdout early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), { env: process.env, cwd: process.cwd() });
