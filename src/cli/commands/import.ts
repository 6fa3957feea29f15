import { resolve } from 'node:path';
import type { Command } from 'commander';
import { connectStack, loadProjectConfig, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

const HELP = `
What is taken over: every certificate of FOLDER (live/ links, every archive/ version, renewal/NAME.conf) and the
accounts they renew with. Nothing is reissued: certbot does not run, and the CA sees no new order.

Before anything is written:
  - FOLDER is checked as \`certkit doctor --store FOLDER\` would; a store with problems is refused with the findings.
  - CERTBOT_CERT_NAME must be one of its certificates, and .env must describe it (names, CA, key type, profile):
    otherwise the next \`certkit update\` would reissue it, so the import is refused and says what differs.
  - A certificate of the same name already in certkit's store is refused; with --force it is moved to
    /etc/letsencrypt/certkit-replaced/DATE/ (never deleted) and the imported one takes its place.

Renewal confs are adapted to the certbot container: file paths under /etc/letsencrypt (a folder certbot used with
--config-dir elsewhere has other absolute paths), certbot's work and log dirs, webroot validation through the shared
webroot (standalone, nginx and apache become webroot), certkit's deploy hook; pre/post hooks and installers of the old
host are dropped. Private keys are written 0600 (or stricter). renewal-hooks/, keys/, csr/ and cli.ini stay behind.
Then every imported certificate is deployed and nginx is checked to serve CERTBOT_CERT_NAME's serial.

Read a host's /etc/letsencrypt as root (its archive/ and live/ are 0700).
Examples:
  sudo npx certkit import /etc/letsencrypt
  npx certkit import ./volumes/certbot/conf      # Dify's bind-mounted store`;

export function registerImport(program: Command, { io, globals, logger, setExit }: CommandContext): void {
  program
    .command('import <folder>')
    .description(
      "Take over an existing certbot store (a folder laid out like /etc/letsencrypt) into the certbot container's store, without reissuing, and serve it.",
    )
    .option('--force', "replace certificates of the same name in certkit's store (they are moved aside, not deleted)")
    .addHelpText('after', HELP)
    .action(async (folder: string, options: { force?: boolean }) => {
      const [
        { CertbotContainer },
        { ownNginxOf },
        { renderProject },
        { findStack },
        { collectStatus },
        { checkImportAgainstConfig, planStoreImport, readImportSource, readTargetStore, writeImport },
        { containerStoreSource },
        { formatStatusTable },
        { ensureServed },
        { withRunLock },
      ] = await Promise.all([
        import('../../certbot/certbot-container.js'),
        import('../../nginx/own-nginx.js'),
        import('../../render/render-project.js'),
        import('../../stack/find-stack.js'),
        import('../../store-io/collect-status.js'),
        import('../../store-io/import-store.js'),
        import('../../store-io/store-source.js'),
        import('../../store/status-entries.js'),
        import('../../update/ensure-served.js'),
        import('../../update/run-lock.js'),
      ]);
      const log = logger();
      const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
      if (config.swarm) throw (await import('../compose-only.js')).composeOnlyOnSwarm('import', config.swarm.stack);
      const source = await readImportSource(resolve(io.cwd, folder), io.now(), log);
      const { engine, project, self } = await connectStack(globals(), io, projectDir, envFileProject);
      const stack = await findStack(engine, project, config.nginx.service);
      const certbot = new CertbotContainer(engine, stack.certbot.name, log);
      const version = await certbot.version();
      const lock = { waitMs: 300_000, log, now: io.now, sleep: io.sleep, purpose: 'certkit import' };
      await withRunLock(engine, stack.certbot.name, lock, async () => {
        const plan = planStoreImport(source, await readTargetStore(engine, stack.certbot), {
          force: options.force === true,
          now: io.now(),
        });
        const report = checkImportAgainstConfig({ config, source, plan, certbot: version, now: io.now() });
        await writeImport(engine, stack.certbot, plan);
        for (const move of plan.setAside) log.info(`moved aside: ${move.from} → ${move.to}`);
        for (const change of plan.confChanges) log.info(`renewal conf ${change}`);
        for (const skipped of plan.skipped) log.info(`not imported: ${skipped}`);
        io.stdout(`imported ${plan.lineages.join(', ')} (${plan.entries.length} entries) from ${source.dir}\n`);
        // Deployed as after a restore: the same hook certbot runs after a renewal, then nginx checked to serve it.
        const render = await renderProject(config, projectDir);
        for (const name of plan.lineages) await certbot.runDeployHook(name);
        const { served } = await ensureServed({
          engine,
          stack,
          self,
          log,
          now: io.now,
          sleep: io.sleep,
          names: config.domains,
          serial: report.serial ?? '',
          configStamp: render.configStamp,
          ownNginx: ownNginxOf(config),
        });
        io.stdout(
          `nginx serves ${report.name} (serial ${served[0]?.serial ?? 'none'}) for ${served.map((entry) => entry.name).join(', ')}\n`,
        );
      });
      const entries = await collectStatus({
        source: await containerStoreSource(engine, project),
        now: io.now(),
        nginx: { engine, project, self, service: config.nginx.service },
      });
      io.stdout(formatStatusTable(entries));
      setExit(entries.some((entry) => entry.problems.length > 0) ? EXIT.failure : EXIT.ok);
    });
}
