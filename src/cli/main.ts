import { Command, CommanderError, Option } from 'commander';
import { CertkitError, isCertkitError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { renderProject } from '../render/render-project.js';
import { runUpdate } from '../controller/update.js';
import { abortableSleep, runDaemon } from '../controller/daemon.js';
import { waitFor } from '../wait-for.js';
import { findStack } from '../stack/find-stack.js';
import { connectStack, loadProjectConfig, type GlobalOptions, type Io } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { formatUpdateResult, updateResultJson } from './format-result.js';
import { registerStoreCommands } from './store-commands.js';
import { startMonitoring } from '../monitoring/start-monitoring.js';
import { registerHealthCommand } from './health-command.js';

/**
 * The `certkit` command. Takes argv and its surroundings as arguments (tests call it directly) and returns the exit
 * code; it alone decides how errors are printed.
 */
export async function run(
  argv: readonly string[],
  env: { env: NodeJS.ProcessEnv; cwd: string; stdout?: (text: string) => void; stderr?: (text: string) => void; signal?: AbortSignal; now?: () => Date },
): Promise<number> {
  const io: Io = {
    env: env.env,
    cwd: env.cwd,
    now: env.now ?? (() => new Date()),
    stdout: env.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: env.stderr ?? ((text) => void process.stderr.write(text)),
  };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, env.signal, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isCertkitError(error)) {
      io.stderr(`certkit: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    io.stderr(`certkit: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}

function buildProgram(io: Io, signal: AbortSignal | undefined, setExit: (code: number) => void): Command {
  const program = new Command('certkit')
    .description('HTTPS for a Docker Compose stack: certbot driven over the Docker API, nginx reloaded without dropping a request.')
    .option('-C, --project-dir <dir>', 'the folder holding docker-compose.yaml and .env', '.')
    .option('-p, --project-name <name>', 'Compose project name (default: as docker compose resolves it)')
    .option('--env-file <file>', 'the .env file to read (default: PROJECT_DIR/.env)')
    .option('-v, --verbose', 'more detail on stderr')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run `certkit --help` for usage)');
  const logger = (timestamps = false): Logger => createLogger({ write: io.stderr, level: program.opts()['verbose'] ? 'debug' : 'info', timestamps });
  const globals = (): GlobalOptions => program.opts() as GlobalOptions;

  program
    .command('update')
    .description('Issue the certificate, or renew it when due; deploy it, reload nginx and check nginx serves it. Replaces `docker compose exec certbot /update-cert.sh` and `nginx -s reload`.')
    .option('--force', 'renew now even if the certificate is not due (counts against the CA rate limits)')
    .option('--dry-run', "test issuance or renewal against the CA without saving anything (Let's Encrypt: staging)")
    .option('--staging', "use Let's Encrypt staging for this run: untrusted certificates, generous limits")
    .option('--json', 'print the result as JSON on stdout')
    .addOption(new Option('--wait <seconds>', 'how long to wait for another certkit run to finish').default('300').argParser(parseSeconds))
    .addHelpText('after', '\nExit codes: 0 success, 1 failure, 2 bad configuration.\nExample:\n  npx certkit update            # issue or renew when due\n  npx certkit update --dry-run  # rehearse without touching the certificate')
    .action(async (options: { force?: boolean; dryRun?: boolean; staging?: boolean; json?: boolean; wait: number }) => {
      const log = logger();
      const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
      const { engine, project, self } = await connectStack(globals(), io, projectDir, envFileProject);
      const result = await runUpdate(
        { engine, config, project, projectDir, log, now: io.now, self, lockWaitMs: options.wait * 1000 },
        { force: options.force, dryRun: options.dryRun, staging: options.staging, purpose: 'certkit update' },
      );
      io.stdout(options.json ? `${JSON.stringify(updateResultJson(result), null, 2)}\n` : formatUpdateResult(result, io.now()));
    });

  program
    .command('render')
    .description('Render certbot/ and nginx/ from templates/ and .env (what the certkit-init service does at start). Touches no container.')
    .action(async () => {
      const { config, projectDir } = await loadProjectConfig(globals(), io);
      const changed = await renderProject(config, projectDir);
      io.stdout(changed.length > 0 ? `rendered ${changed.join(', ')}\n` : 'rendered files are up to date\n');
    });

  program
    .command('daemon')
    .description('Run the renewal loop (the certkit container does): check at start, then every CERTKIT_CHECK_INTERVAL with jitter; renew when due, reload nginx, back off on failure.')
    .action(async () => {
      const log = logger(true);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      signal?.addEventListener('abort', onSignal);
      const first = await loadProjectConfig(globals(), io);
      const connected = await connectStack(globals(), io, first.projectDir, first.envFileProject);
      const { project, self } = connected;
      log.info(`certkit daemon for Compose project "${project}" (${first.config.domains.join(', ')})`);
      const monitoring = await startMonitoring({ env: io.env, projectDir: first.projectDir, envFile: globals().envFile, engine: connected.engine, project, self, certName: first.config.certName, log, now: io.now });
      const engine = monitoring.engine;
      await waitFor(async () => ({ done: (await findStack(engine, project).then(() => true, () => false)), value: null }), {
        timeoutMs: 180_000,
        intervalMs: 2_000,
        what: 'the nginx and certbot containers to run',
      }).catch((error: unknown) => log.warn((error as Error).message));
      await runDaemon(
        {
          runCycle: async () => {
            const { config, projectDir } = await loadProjectConfig(globals(), io);
            const result = await runUpdate({ engine, config, project, projectDir, log, now: io.now, self, lockWaitMs: 600_000 }, { purpose: 'certkit daemon' });
            return { result, intervalMs: config.checkIntervalMs };
          },
          log,
          now: io.now,
          random: Math.random,
          sleep: abortableSleep,
          observer: monitoring.observer,
        },
        stop.signal,
      );
      await monitoring.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });

  registerStoreCommands(program, io, globals, () => logger(), setExit);
  registerHealthCommand(program, io, globals, setExit);
  return program;
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new CertkitError('USAGE', `--wait takes a number of seconds, not "${value}"`);
  return Number(value);
}
