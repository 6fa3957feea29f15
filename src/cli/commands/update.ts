import { Option, type Command } from 'commander';
import { CertkitError } from '../../errors.js';
import { connectStack, loadProjectConfig, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerUpdate(program: Command, { io, globals, logger, setExit }: CommandContext): void {
  program
    .command('update')
    .argument('[site...]', 'the sites to act on (`certkit sites` lists them); default: every site')
    .description(
      "Issue each site's certificate, or renew it when due; deploy it, have nginx serve it and check it does. Each site alone: one that fails does not stop the others (exit 1 names it). Replaces `docker compose exec certbot /update-cert.sh` and `nginx -s reload`.",
    )
    .option('--force', 'renew now even if the certificate is not due (counts against the CA rate limits)')
    .option('--dry-run', "test issuance or renewal against the CA without saving anything (Let's Encrypt: staging)")
    .option('--staging', "use Let's Encrypt staging for this run: untrusted certificates, generous limits")
    .option('--json', 'print the result as JSON on stdout')
    .addOption(new Option('--wait <seconds>', 'how long to wait for another certkit run to finish').default('300').argParser(parseSeconds))
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 failure (of any site), 2 bad configuration.\nExample:\n  npx certkit update            # issue or renew every site when due\n  npx certkit update wiki       # the site named wiki alone\n  npx certkit update --dry-run  # rehearse without touching the certificates',
    )
    .action(async (sites: string[], options: { force?: boolean; dryRun?: boolean; staging?: boolean; json?: boolean; wait: number }) => {
      const log = logger();
      const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
      if (config.swarm) {
        const swarm = config.swarm;
        const [engine, { createSwarmApi }, { runSwarmUpdate }, { formatSwarmResult }] = await Promise.all([
          io.createEngine(io.env),
          import('../../swarm/swarm-api.js'),
          import('../../swarm/swarm-update.js'),
          import('../format-swarm-result.js'),
        ]);
        if (options.staging)
          throw new CertkitError('USAGE', '--staging is not supported on Swarm yet; set CERTBOT_SERVER=staging for the run');
        const result = await runSwarmUpdate(
          {
            api: createSwarmApi(io.env),
            engine,
            config: { ...config, swarm },
            envFile: globals().envFile ?? '.env',
            log,
            now: io.now,
            sleep: io.sleep,
            lockWaitMs: options.wait * 1000,
          },
          { force: options.force, dryRun: options.dryRun, purpose: 'certkit update', ...(sites.length > 0 ? { sites } : {}) },
        );
        io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatSwarmResult(result));
        const failed = result.sites.filter((outcome) => outcome.error);
        if (failed.length > 0) {
          io.stderr(
            `certkit: ${failed.length} site${failed.length === 1 ? '' : 's'} failed: ${failed.map((outcome) => outcome.site).join(', ')}\n`,
          );
          setExit(EXIT.failure);
        }
        return;
      }
      const [{ engine, project, self }, { runUpdate }, { formatUpdateResult, updateResultJson }] = await Promise.all([
        connectStack(globals(), io, projectDir, envFileProject),
        import('../../update/update.js'),
        import('../format-result.js'),
      ]);
      const result = await runUpdate(
        {
          engine,
          config,
          project,
          projectDir,
          envFile: globals().envFile ?? '.env',
          log,
          now: io.now,
          sleep: io.sleep,
          self,
          lockWaitMs: options.wait * 1000,
        },
        {
          force: options.force,
          dryRun: options.dryRun,
          staging: options.staging,
          purpose: 'certkit update',
          ...(sites.length > 0 ? { sites } : {}),
        },
      );
      io.stdout(options.json ? `${JSON.stringify(updateResultJson(result), null, 2)}\n` : formatUpdateResult(result, io.now()));
      const failed = (result.others ?? []).filter((outcome) => outcome.error);
      if (failed.length > 0) {
        io.stderr(
          `certkit: ${failed.length} site${failed.length === 1 ? '' : 's'} failed: ${failed.map((outcome) => outcome.site).join(', ')} (the others are served)\n`,
        );
        setExit(EXIT.failure);
      }
    });
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new CertkitError('USAGE', `--wait takes a number of seconds, not "${value}"`);
  return Number(value);
}
