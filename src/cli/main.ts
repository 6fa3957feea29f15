import { Command, CommanderError } from 'commander';
import { isCertkitError } from '../errors.js';
import { createLogger } from '../log.js';
import { sleep } from '../wait-for.js';
import { registerBackup } from './commands/backup.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDoctor } from './commands/doctor.js';
import { registerHealth } from './commands/health.js';
import { registerImport } from './commands/import.js';
import { registerPlugins } from './commands/plugins.js';
import { registerPrune } from './commands/prune.js';
import { registerRender } from './commands/render.js';
import { registerRestore } from './commands/restore.js';
import { registerSites } from './commands/sites.js';
import { registerStatus } from './commands/status.js';
import { registerUpdate } from './commands/update.js';
import type { CommandContext, GlobalOptions, Io } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

/** What surrounds a run of the command: all of it passed in, so tests drive the CLI in-process with fakes. */
export interface RunSurroundings {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: Io['sleep'];
  createEngine?: Io['createEngine'];
}

/**
 * The `certkit` command. Takes argv and its surroundings as arguments (tests call it directly) and returns the exit
 * code; it alone decides how errors are printed.
 */
export async function run(argv: readonly string[], env: RunSurroundings): Promise<number> {
  const io: Io = {
    env: env.env,
    cwd: env.cwd,
    now: env.now ?? (() => new Date()),
    sleep: env.sleep ?? sleep,
    // dockerode takes a tenth of a second to load: only commands that reach Docker pay for it.
    createEngine: env.createEngine ?? (async (processEnv) => (await import('../docker/docker-engine.js')).createDockerEngine(processEnv)),
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
  const context: CommandContext = {
    io,
    globals: () => program.opts<GlobalOptions>(),
    logger: (options = {}) =>
      createLogger({ write: io.stderr, level: program.opts()['verbose'] ? 'debug' : 'info', timestamps: options.timestamps ?? false }),
    setExit,
    signal,
  };
  for (const register of [
    registerUpdate,
    registerRender,
    registerDaemon,
    registerStatus,
    registerSites,
    registerDoctor,
    registerBackup,
    registerRestore,
    registerImport,
    registerPrune,
    registerHealth,
    registerPlugins,
  ]) {
    register(program, context);
  }
  return program;
}
