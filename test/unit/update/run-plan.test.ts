import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertbotContainer } from '../../../src/certbot/certbot-container.js';
import { parseCertbotPlugins } from '../../../src/certbot/parse-certbot-plugins.js';
import type { CertbotPlan } from '../../../src/certbot/plan-certbot-run.js';
import type { Config } from '../../../src/config/config.js';
import { isCertkitError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { withoutDeployHook } from '../../../src/swarm/serving-plan.js';
import { swarmCertbotFixes } from '../../../src/swarm/swarm-certbot-fixes.js';
import { runCheckedPlan } from '../../../src/update/run-plan.js';
import { makeConfig } from '../support/make-config.js';

const PLUGINS = readFileSync(join(import.meta.dirname, '../../fixtures/certbot-plugins/certbot-5.5-dns-rfc2136.txt'), 'utf8');
const PLAN: CertbotPlan = {
  action: 'issue',
  argv: ['certonly', '--cert-name', 'site', '--deploy-hook', '/etc/certkit/certbot/deploy-hook.sh', '-d', 'site.example'],
  reasons: ['no certificate'],
  validates: true,
  dryRun: false,
  insecureCa: false,
} as unknown as CertbotPlan;

/** A certbot container recording what runs in it: the DNS facts it reports, the preflight's answers, certbot's argv. */
function fakeCertbot(facts: { file: object; preflightOk?: boolean }) {
  const calls: string[] = [];
  const certbot = {
    python: (script: string, args: readonly string[]) => {
      if (script.includes('st_mode')) {
        calls.push('dns facts');
        return Promise.resolve(JSON.stringify({ env: {}, file: facts.file }));
      }
      if (script.includes('set-default-ipv4')) {
        calls.push(`pebble dns -> ${args[1]}`);
        return Promise.resolve('ok');
      }
      // The preflight's arguments: the token's path, the token, then "NAME URL HOST" per name.
      const targets = args.slice(2).map((arg) => {
        const [name = '', url = ''] = arg.split(' ');
        return { name, url };
      });
      calls.push(...targets.map((target) => `preflight ${target.name} via ${target.url.split('/')[2]}`));
      return Promise.resolve(
        JSON.stringify(targets.map((target) => ({ name: target.name, ok: facts.preflightOk ?? true, detail: 'HTTP 404' }))),
      );
    },
    plugins: () => Promise.resolve(parseCertbotPlugins(PLUGINS)),
    folderPlugins: () => Promise.resolve([]),
    runCertbot: (plan: CertbotPlan) => {
      calls.push(`certbot ${plan.argv.join(' ')}`);
      return Promise.resolve('');
    },
  } as unknown as CertbotContainer;
  return { certbot, calls };
}

function run(config: Config, certbot: CertbotContainer) {
  return runCheckedPlan(
    {
      config,
      certbot,
      log: createLogger({ level: 'error', write: () => undefined }),
      now: () => new Date(0),
      nginxAddressForPebble: () => Promise.resolve('10.0.9.7'),
      argv: withoutDeployHook,
      fixes: swarmCertbotFixes('shop'),
    },
    PLAN,
    { dryRun: false },
  );
}

const DNS = {
  CERTBOT_CHALLENGE: 'dns',
  CERTBOT_DNS_PLUGIN: 'rfc2136',
  CERTBOT_DNS_CREDENTIALS: '/etc/certkit/rfc2136.ini',
  CERTBOT_IMAGE: 'certbot/dns-rfc2136:v5.1.0',
};

// The one path both deployments take to certbot: the checks, then certbot with the deployment's argv (on Swarm,
// without the deploy hook).
describe('a checked certbot run', () => {
  it('DNS-01: checks the plugin and the credentials in certbot, then runs certbot; the test CA is never pointed', async () => {
    const { certbot, calls } = fakeCertbot({ file: { regular: true, dir: false, mode: 0o600, size: 120 } });
    await run(makeConfig({ ...DNS, CERTBOT_SERVER: 'pebble' }), certbot);
    expect(calls).toEqual(['dns facts', 'certbot certonly --cert-name site -d site.example']);
  });

  it('DNS-01: credentials missing in certbot stop this run before the CA is asked, with the fix of the deployment', async () => {
    const { certbot, calls } = fakeCertbot({ file: { missing: 'No such file' } });
    const error = await run(makeConfig(DNS), certbot).catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(
      'CERTBOT_DNS_CREDENTIALS: "/etc/certkit/rfc2136.ini" is not mounted in the certbot container (the certbot service has no secret at that path: deploy the stack with compose.swarm-dns.yaml too:',
    );
    expect((error as Error).message).toContain('-c compose.swarm.yaml -c compose.swarm-dns.yaml shop');
    expect(calls).toEqual(['dns facts']);
  });

  it('HTTP-01 with the test CA: its DNS pointed at nginx, the preflight through that address, then certbot', async () => {
    const { certbot, calls } = fakeCertbot({ file: {} });
    await run(makeConfig({ CERTBOT_DOMAIN: 'site.example', CERTBOT_SERVER: 'pebble' }), certbot);
    expect(calls).toEqual([
      'pebble dns -> 10.0.9.7',
      'preflight site.example via 10.0.9.7',
      'certbot certonly --cert-name site -d site.example',
    ]);
  });

  it('HTTP-01: a name failing the preflight stops this run before certbot', async () => {
    const { certbot, calls } = fakeCertbot({ file: {}, preflightOk: false });
    const error = await run(makeConfig({ CERTBOT_DOMAIN: 'shop.widgets.eu' }), certbot).catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'PREFLIGHT_FAILED')).toBe(true);
    expect(calls).toEqual(['preflight shop.widgets.eu via shop.widgets.eu']);
  });

  it('HTTP-01 with CERTKIT_PREFLIGHT=false: certbot alone', async () => {
    const { certbot, calls } = fakeCertbot({ file: {} });
    await run(makeConfig({ CERTBOT_DOMAIN: 'shop.widgets.eu', CERTKIT_PREFLIGHT: 'false' }), certbot);
    expect(calls).toEqual(['certbot certonly --cert-name site -d site.example']);
  });
});

describe("the DNS preflight's fixes on Swarm", () => {
  it('name the stack file that mounts the secret, and the mode it sets', () => {
    const fixes = swarmCertbotFixes('shop');
    expect(fixes.chmod('/etc/certkit/x.ini')).toMatch(/^the secret's mode comes from compose\.swarm-dns\.yaml \(mode: 0600\)/);
    expect(fixes.awsVariables).toMatch(/do not pass them to the certbot service/);
    expect(fixes.recreate).toMatch(
      /CERTKIT_SWARM_CONF_VERSION=<a new one> docker stack deploy -c compose\.swarm\.yaml -c compose\.swarm-dns\.yaml shop$/,
    );
  });
});
