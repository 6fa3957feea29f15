import { Option, type Command } from 'commander';
import { CertkitError } from '../../errors.js';
import { connectStack, loadProjectConfig, type CommandContext } from '../context.js';

export function registerUpdate(program: Command, { io, globals, logger }: CommandContext): void {
  program
    .command('update')
    .description(
      'Issue the certificate, or renew it when due; deploy it, reload nginx and check nginx serves it. Replaces `docker compose exec certbot /update-cert.sh` and `nginx -s reload`.',
    )
    .option('--force', 'renew now even if the certificate is not due (counts against the CA rate limits)')
    .option('--dry-run', "test issuance or renewal against the CA without saving anything (Let's Encrypt: staging)")
    .option('--staging', "use Let's Encrypt staging for this run: untrusted certificates, generous limits")
    .option('--json', 'print the result as JSON on stdout')
    .addOption(new Option('--wait <seconds>', 'how long to wait for another certkit run to finish').default('300').argParser(parseSeconds))
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 failure, 2 bad configuration.\nExample:\n  npx certkit update            # issue or renew when due\n  npx certkit update --dry-run  # rehearse without touching the certificate',
    )
    .action(async (options: { force?: boolean; dryRun?: boolean; staging?: boolean; json?: boolean; wait: number }) => {
      const log = logger();
      const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
      const [{ engine, project, self }, { runUpdate }, { formatUpdateResult, updateResultJson }] = await Promise.all([
        connectStack(globals(), io, projectDir, envFileProject),
        import('../../update/update.js'),
        import('../format-result.js'),
      ]);
      const result = await runUpdate(
        { engine, config, project, projectDir, log, now: io.now, sleep: io.sleep, self, lockWaitMs: options.wait * 1000 },
        { force: options.force, dryRun: options.dryRun, staging: options.staging, purpose: 'certkit update' },
      );
      io.stdout(options.json ? `${JSON.stringify(updateResultJson(result), null, 2)}\n` : formatUpdateResult(result, io.now()));
    });
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new CertkitError('USAGE', `--wait takes a number of seconds, not "${value}"`);
  return Number(value);
}
