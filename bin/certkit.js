#!/usr/bin/env node
// The `certkit` command: the built CLI lives in dist/ (run `npm run build` after changing src/).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2), { env: process.env, cwd: process.cwd() });
