import { describe, expect, it } from 'vitest';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { planCertbotRun, type ExistingCertificate, type PlanRequest } from '../../../src/certbot/plan-certbot-run.js';
import { standaloneCertonlyArgv } from '../../../src/certbot/certbot-argv.js';
import { lingeringOptions } from '../../../src/certbot/renewal-drift.js';
import type { RenewalConf } from '../../../src/store/renewal-conf.js';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { isCertkitError } from '../../../src/errors.js';
import { makeConfig } from '../support/make-config.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const OLD_CERTBOT: Version = [2, 1, 0];
const NEW_CERTBOT: Version = [5, 1, 0];

function renewalConf(overrides: Partial<RenewalConf> = {}): RenewalConf {
  return {
    version: '2.1.0',
    server: ACME_SERVERS.production,
    authenticator: 'webroot',
    account: undefined,
    keyType: 'ecdsa',
    ellipticCurve: 'secp256r1',
    rsaKeySize: undefined,
    profile: undefined,
    deployHook: '/etc/certkit/certbot/deploy-hook.sh',
    webrootPaths: ['/var/www/certbot'],
    paths: {},
    ...overrides,
  };
}

/** A 90-day certificate issued `ageDays` before NOW. */
function existing(domains: string[], ageDays: number, renewal: RenewalConf | undefined = renewalConf()): ExistingCertificate {
  const notBefore = new Date(NOW.getTime() - ageDays * DAY_MS);
  return { domains, notBefore, notAfter: new Date(notBefore.getTime() + 90 * DAY_MS), serial: '01', renewal };
}

function plan(overrides: Partial<PlanRequest> & { env?: Record<string, string> }): ReturnType<typeof planCertbotRun> {
  const { env, ...rest } = overrides;
  return planCertbotRun({
    config: makeConfig({ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu', ...env }),
    existing: undefined,
    certbot: NEW_CERTBOT,
    now: NOW,
    ...rest,
  });
}

/** The value after `flag` in argv. */
const valueOf = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('first issuance (no certificate yet)', () => {
  const { action, argv, reasons } = plan({});

  it('runs certonly with the certificate name, non-interactively, keeping a valid certificate', () => {
    expect(action).toBe('issue');
    expect(reasons).toEqual(['no certificate yet']);
    expect(argv[0]).toBe('certonly');
    expect(valueOf(argv, '--cert-name')).toBe('widgets.eu');
    expect(argv).toContain('--non-interactive');
    expect(argv).toContain('--keep-until-expiring');
    expect(argv).not.toContain('--force-renewal');
    expect(argv).not.toContain('--dry-run');
  });

  it('asks for every name with its own -d, in order', () => {
    const names = argv.flatMap((word, index) => (word === '-d' ? [argv[index + 1]] : []));
    expect(names).toEqual(['widgets.eu', 'www.widgets.eu']);
  });

  it('validates through the webroot shared with nginx and installs the deploy hook', () => {
    expect(argv.join(' ')).toContain('--webroot -w /var/www/certbot');
    expect(valueOf(argv, '--deploy-hook')).toBe('/etc/certkit/certbot/deploy-hook.sh');
  });

  it('names the server, agrees to the terms and asks for the configured key', () => {
    expect(valueOf(argv, '--server')).toBe(ACME_SERVERS.production);
    expect(argv).toContain('--agree-tos');
    expect(argv).toContain('--register-unsafely-without-email');
    expect(argv.join(' ')).toContain('--key-type ecdsa --elliptic-curve secp256r1');
  });

  it('registers the email when there is one', () => {
    const withEmail = plan({ env: { CERTBOT_EMAIL: 'admin@widgets.eu' } }).argv;
    expect(withEmail.join(' ')).toContain('--email admin@widgets.eu --no-eff-email');
    expect(withEmail).not.toContain('--register-unsafely-without-email');
  });

  it('passes CERTBOT_OPTIONS last, each word as one argument', () => {
    const withOptions = plan({ env: { CERTBOT_OPTIONS: '--preferred-chain "ISRG Root X1"' } }).argv;
    expect(withOptions.slice(-2)).toEqual(['--preferred-chain', 'ISRG Root X1']);
  });

  it('asks for an RSA key when configured', () => {
    expect(plan({ env: { CERTBOT_KEY_TYPE: 'rsa-3072' } }).argv.join(' ')).toContain('--key-type rsa --rsa-key-size 3072');
  });
});

describe('names added to an existing certificate', () => {
  it('reissues under the same name with --expand, without forcing', () => {
    const result = plan({ existing: existing(['widgets.eu'], 10) });
    expect(result.action).toBe('reissue');
    expect(result.reasons).toEqual(['adds www.widgets.eu']);
    expect(result.argv[0]).toBe('certonly');
    expect(valueOf(result.argv, '--cert-name')).toBe('widgets.eu');
    expect(result.argv).toContain('--expand');
    expect(result.argv).not.toContain('--force-renewal');
  });

  it('reissues without --expand when names are only dropped', () => {
    const result = plan({ existing: existing(['widgets.eu', 'www.widgets.eu', 'old.widgets.eu'], 10) });
    expect(result.action).toBe('reissue');
    expect(result.reasons).toEqual(['drops old.widgets.eu']);
    expect(result.argv).not.toContain('--expand');
  });

  it('reissues when the certificate was made by another authenticator', () => {
    const result = plan({ existing: existing(['widgets.eu', 'www.widgets.eu'], 10, renewalConf({ authenticator: 'standalone' })) });
    expect(result.action).toBe('reissue');
    expect(result.reasons).toEqual(['switches validation from standalone to webroot']);
  });
});

describe('same names, renewal', () => {
  const same = ['widgets.eu', 'www.widgets.eu'];

  it('lets certbot 5.x decide: renew without sleeping and without forcing', () => {
    const result = plan({ existing: existing(same, 10), certbot: NEW_CERTBOT });
    expect(result.action).toBe('renew');
    expect(result.argv[0]).toBe('renew');
    expect(valueOf(result.argv, '--cert-name')).toBe('widgets.eu');
    expect(result.argv).toContain('--no-random-sleep-on-renew');
    expect(result.argv).toContain('--keep-until-expiring');
    expect(result.argv).toContain('--non-interactive');
    expect(valueOf(result.argv, '--deploy-hook')).toBe('/etc/certkit/certbot/deploy-hook.sh');
    expect(result.argv).not.toContain('--force-renewal');
    expect(result.reasons[0]).toMatch(/^certbot decides: /);
  });

  it('keeps a certificate that is not due with certbot 2.1: certbot is not run', () => {
    const result = plan({ existing: existing(same, 10), certbot: OLD_CERTBOT });
    expect(result).toEqual({
      action: 'keep',
      argv: [],
      reasons: [expect.stringMatching(/^not due until /)],
      validates: false,
      dryRun: false,
      insecureCa: false,
      forceRenewal: false,
    });
  });

  it('forces the renewal of a due certificate with certbot 2.1 (certkit decides, not certbot)', () => {
    const result = plan({ existing: existing(same, 61), certbot: OLD_CERTBOT });
    expect(result.action).toBe('renew');
    expect(result.argv[0]).toBe('renew');
    expect(result.argv).toContain('--force-renewal');
    expect(result.argv).not.toContain('--keep-until-expiring');
    expect(result.reasons[0]).toMatch(/^due for renewal/);
  });

  it('renews with --force-renewal on --force, whatever the certbot version', () => {
    for (const certbot of [OLD_CERTBOT, NEW_CERTBOT]) {
      const result = plan({ existing: existing(same, 1), certbot, force: true });
      expect(result.action).toBe('renew');
      expect(result.argv[0]).toBe('renew');
      expect(result.argv).toContain('--force-renewal');
      expect(result.argv).not.toContain('--keep-until-expiring');
      expect(result.reasons).toEqual(['--force']);
    }
  });

  it('reissues on --force when the renewal conf is unreadable (certkit cannot tell what renew would do)', () => {
    const result = plan({ existing: { ...existing(same, 1), renewal: undefined }, force: true });
    expect(result.action).toBe('reissue');
    expect(result.argv).toContain('--force-renewal');
  });
});

describe('CA or key changed', () => {
  const same = ['widgets.eu', 'www.widgets.eu'];

  it('reissues with --force-renewal when moving from staging to production', () => {
    const result = plan({ existing: existing(same, 1, renewalConf({ server: ACME_SERVERS.staging })) });
    expect(result.action).toBe('reissue');
    expect(result.argv[0]).toBe('certonly');
    expect(valueOf(result.argv, '--server')).toBe(ACME_SERVERS.production);
    expect(result.argv).toContain('--force-renewal');
    expect(result.argv).not.toContain('--keep-until-expiring');
    expect(result.reasons).toEqual([`moves from ${ACME_SERVERS.staging} to ${ACME_SERVERS.production}`]);
  });

  it('reissues with --force-renewal when the key type changes', () => {
    const result = plan({ existing: existing(same, 1, renewalConf({ keyType: 'rsa', ellipticCurve: undefined, rsaKeySize: '2048' })) });
    expect(result.action).toBe('reissue');
    expect(result.argv).toContain('--force-renewal');
    expect(result.argv.join(' ')).toContain('--key-type ecdsa --elliptic-curve secp256r1');
    expect(result.reasons).toEqual(['changes the key from rsa 2048 to ecdsa secp256r1']);
  });

  it("reads a conf without a curve or size as certbot's defaults", () => {
    expect(plan({ existing: existing(same, 1, renewalConf({ ellipticCurve: undefined })) }).action).toBe('renew');
    const rsa = plan({
      existing: existing(same, 1, renewalConf({ keyType: 'rsa', ellipticCurve: undefined })),
      env: { CERTBOT_KEY_TYPE: 'rsa-2048' },
    });
    expect(rsa.action).toBe('renew');
  });

  it('does not reissue a conf that records no key type (certbot < 2.0)', () => {
    expect(plan({ existing: existing(same, 1, renewalConf({ keyType: undefined, ellipticCurve: undefined })) }).action).toBe('renew');
  });

  it('adds --expand and --force-renewal together when names and CA both change', () => {
    const result = plan({ existing: existing(['widgets.eu'], 1, renewalConf({ server: ACME_SERVERS.staging })) });
    expect(result.argv).toEqual(expect.arrayContaining(['--expand', '--force-renewal']));
  });
});

describe('--staging', () => {
  const same = ['widgets.eu', 'www.widgets.eu'];

  it('issues a first certificate from staging', () => {
    expect(valueOf(plan({ staging: true }).argv, '--server')).toBe(ACME_SERVERS.staging);
  });

  it('refuses to replace a production certificate with a staging one', () => {
    let thrown: unknown;
    try {
      plan({ existing: existing(same, 1), staging: true });
    } catch (error) {
      thrown = error;
    }
    expect(isCertkitError(thrown, 'USAGE')).toBe(true);
    expect((thrown as Error).message).toContain('widgets.eu is a trusted production certificate');
    expect((thrown as Error).message).toContain('--dry-run');
  });

  it('tests against staging with --dry-run, without replacing anything', () => {
    const result = plan({ existing: existing(same, 1), staging: true, dryRun: true });
    expect(result.argv[0]).toBe('certonly');
    expect(valueOf(result.argv, '--server')).toBe(ACME_SERVERS.staging);
    expect(result.argv).toContain('--dry-run');
  });

  it('renews a staging certificate from staging without complaint', () => {
    const result = plan({ existing: existing(same, 1, renewalConf({ server: ACME_SERVERS.staging })), staging: true });
    expect(result.action).toBe('renew');
  });
});

describe('pebble, the test CA', () => {
  const env = { CERTBOT_SERVER: 'pebble' };
  const pebbleConf = renewalConf({ server: ACME_SERVERS.pebble });

  it('adds --no-verify-ssl to certonly', () => {
    const { argv } = plan({ env });
    expect(argv[0]).toBe('certonly');
    expect(argv).toContain('--no-verify-ssl');
  });

  it('adds --no-verify-ssl to renew too (certbot does not save it)', () => {
    const { argv } = plan({ env, existing: existing(['widgets.eu', 'www.widgets.eu'], 1, pebbleConf) });
    expect(argv[0]).toBe('renew');
    expect(argv).toContain('--no-verify-ssl');
  });

  it('never adds --no-verify-ssl for other servers', () => {
    expect(plan({}).argv).not.toContain('--no-verify-ssl');
    expect(plan({ existing: existing(['widgets.eu', 'www.widgets.eu'], 1) }).argv).not.toContain('--no-verify-ssl');
  });
});

describe('--dry-run', () => {
  const same = ['widgets.eu', 'www.widgets.eu'];

  it('adds --dry-run to issue, reissue and renew', () => {
    expect(plan({ dryRun: true }).argv).toContain('--dry-run');
    expect(plan({ dryRun: true, existing: existing(['widgets.eu'], 1) }).argv).toContain('--dry-run');
    expect(plan({ dryRun: true, existing: existing(same, 1) }).argv).toContain('--dry-run');
  });

  it('runs a renewal dry run even when certkit would keep the certificate', () => {
    const result = plan({ dryRun: true, existing: existing(same, 1), certbot: OLD_CERTBOT });
    expect(result.action).toBe('renew');
    expect(result.argv).toContain('--dry-run');
    expect(result.argv).not.toContain('--force-renewal');
  });
});

describe('standaloneCertonlyArgv (the hand-run update-cert.sh)', () => {
  it('issues, expands or renews when due in one idempotent certonly call', () => {
    const argv = standaloneCertonlyArgv(makeConfig({ CERTBOT_DOMAIN: 'widgets.eu' }));
    expect(argv[0]).toBe('certonly');
    expect(argv).toEqual(expect.arrayContaining(['--expand', '--keep-until-expiring', '--non-interactive']));
    expect(argv).not.toContain('--force-renewal');
    expect(argv).not.toContain('--dry-run');
  });
});

describe('dry runs stay on the configured CA', () => {
  it("passes --server on a dry-run renewal unless the CA is Let's Encrypt production (whose dry run is staging)", () => {
    const existing: ExistingCertificate = {
      domains: ['widgets.eu'],
      notBefore: new Date('2026-11-01T00:00:00Z'),
      notAfter: new Date('2027-01-30T00:00:00Z'),
      serial: '1',
      renewal: undefined,
    };
    const now = new Date('2026-11-22T00:00:00Z');
    const pebble = planCertbotRun({
      config: makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_SERVER: 'pebble' }),
      existing,
      certbot: [5, 1, 0],
      now,
      dryRun: true,
    });
    expect(pebble.argv).toEqual(expect.arrayContaining(['--dry-run', '--server', 'https://pebble:14000/dir']));
    const production = planCertbotRun({
      config: makeConfig({ CERTBOT_DOMAIN: 'widgets.eu' }),
      existing,
      certbot: [5, 1, 0],
      now,
      dryRun: true,
    });
    expect(production.argv).toContain('--dry-run');
    expect(production.argv).not.toContain('--server');
  });
});

describe('a store taken over from another webroot setup (Dify: /var/www/html)', () => {
  const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu' });
  const taken = (ageDays: number) => existing(['widgets.eu'], ageDays, renewalConf({ webrootPaths: ['/var/www/html'] }));

  it("renews through certkit's webroot with certonly, which saves it in the renewal conf", () => {
    const result = planCertbotRun({ config, existing: taken(70), certbot: NEW_CERTBOT, now: NOW });
    expect(result.action).toBe('renew');
    expect(result.argv[0]).toBe('certonly');
    expect(valueOf(result.argv, '-w')).toBe('/var/www/certbot');
    expect(result.reasons.at(-1)).toBe('validates through /var/www/certbot, not /var/www/html (a store taken over)');
  });

  it('spends no certificate for it: one not due is kept, by certkit (certbot < 4) or by certbot itself', () => {
    expect(planCertbotRun({ config, existing: taken(10), certbot: OLD_CERTBOT, now: NOW }).action).toBe('keep');
    const byCertbot = planCertbotRun({ config, existing: taken(10), certbot: NEW_CERTBOT, now: NOW });
    expect(byCertbot.argv[0]).toBe('certonly');
    expect(byCertbot.argv).toContain('--keep-until-expiring');
    expect(byCertbot.argv).not.toContain('--force-renewal');
    expect(byCertbot.validates).toBe(false);
  });

  it('maps every name to the webroot, so a name whose authorization the CA reuses is saved with it too', () => {
    const two = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu' });
    const result = planCertbotRun({ config: two, existing: undefined, certbot: NEW_CERTBOT, now: NOW });
    expect(JSON.parse(valueOf(result.argv, '--webroot-map') ?? '{}')).toEqual({ 'widgets.eu,www.widgets.eu': '/var/www/certbot' });
  });

  it('a renewal conf whose webroot_map still names the old webroot for one name goes through certonly too', () => {
    const conf = renewalConf({
      webrootPaths: ['/var/www/certbot'],
      webrootMap: { 'widgets.eu': '/var/www/certbot', 'www.widgets.eu': '/var/www/html' },
    });
    const two = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu' });
    const result = planCertbotRun({
      config: two,
      existing: existing(['widgets.eu', 'www.widgets.eu'], 70, conf),
      certbot: NEW_CERTBOT,
      now: NOW,
    });
    expect(result.argv[0]).toBe('certonly');
    expect(result.reasons.at(-1)).toBe('validates through /var/www/certbot, not /var/www/html (a store taken over)');
  });

  it("validates a dry run through certkit's webroot too", () => {
    const dry = planCertbotRun({ config, existing: taken(10), certbot: NEW_CERTBOT, now: NOW, dryRun: true });
    expect([dry.argv[0], valueOf(dry.argv, '-w')]).toEqual(['certonly', '/var/www/certbot']);
    expect(dry.argv).toContain('--dry-run');
  });
});

describe('an option removed from CERTBOT_OPTIONS does not linger in the renewal conf', () => {
  const ownKeys = ['account', 'authenticator', 'webroot_path', 'server', 'key_type', 'elliptic_curve', 'renew_hook'];
  const withKeys = (keys: string[]) => renewalConf({ paramKeys: [...ownKeys, ...keys] });

  it.each([
    ['preferred_chain', ''],
    ['preferred_chain', '--issuance-timeout 90'],
    ['issuance_timeout', '--preferred-chain x'],
    ['reuse_key', ''],
  ])('a due renewal with %s saved and CERTBOT_OPTIONS=%j runs certonly with the full option set', (key, options) => {
    const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: options });
    const result = planCertbotRun({ config, existing: existing(['widgets.eu'], 70, withKeys([key])), certbot: [2, 1, 0], now: NOW });
    expect(result.action).toBe('renew');
    expect(result.argv[0]).toBe('certonly');
    expect(result.argv).toContain('--force-renewal');
    expect(result.reasons.at(-1)).toBe(`drops ${key} from the renewal conf (no longer in CERTBOT_OPTIONS)`);
    expect(lingeringOptions(config, withKeys([key]))).toEqual([key]);
  });

  it.each([
    ['preferred_chain', '--preferred-chain x'],
    ['preferred_chain', '--preferred-chai=x'],
    ['reuse_key', '--no-reuse-key'],
  ])('keeps certbot renew when %s is still asked for (%j)', (key, options) => {
    const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: options });
    expect(lingeringOptions(config, withKeys([key]))).toEqual([]);
    const result = planCertbotRun({ config, existing: existing(['widgets.eu'], 70, withKeys([key])), certbot: [2, 1, 0], now: NOW });
    expect(result.argv[0]).toBe('renew');
  });

  it("never counts certkit's own or certbot's always-saved keys", () => {
    const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_SERVER: 'pebble' });
    expect(lingeringOptions(config, withKeys(['no_verify_ssl', 'rsa_key_size', 'installer', 'pref_challs']))).toEqual([]);
  });

  it('spends no certificate for it: a certificate not due is kept', () => {
    const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu' });
    expect(
      planCertbotRun({ config, existing: existing(['widgets.eu'], 10, withKeys(['preferred_chain'])), certbot: [2, 1, 0], now: NOW })
        .action,
    ).toBe('keep');
  });
});
