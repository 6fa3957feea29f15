#!/usr/bin/env node
// The `certkit` command: it runs the CLI bundle in dist/bundle/ (run `npm run build` after changing src/).
// A clone updated with `git pull` but not rebuilt has no bundle (or an old one): say how to make it.
const { run } = await import('../dist/bundle/main.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    `certkit: the CLI is not built (${error.message.split('\n')[0]}); run \`npm ci\` (or \`npm run build\`) in ${new URL('..', import.meta.url).pathname}\n`,
  );
  process.exit(2);
});

// `certkit status | head` closes stdout early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), { env: process.env, cwd: process.cwd() });
