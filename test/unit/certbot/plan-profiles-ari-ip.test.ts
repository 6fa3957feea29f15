import { describe, expect, it } from 'vitest';
import { certbotImageFor, certbotSupportProblems } from '../../../src/certbot/certbot-support.js';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { planCertbotRun, type ExistingCertificate, type PlanRequest } from '../../../src/certbot/plan-certbot-run.js';
import { standaloneCertonlyArgv } from '../../../src/certbot/certbot-argv.js';
import type { RenewalConf } from '../../../src/store/renewal-conf.js';
import type { RenewalWindow } from '../../../src/certbot/renewal-window.js';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { makeConfig } from '../support/make-config.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const V2_1: Version = [2, 1, 0];
const V4_0: Version = [4, 0, 0];
const V4_1: Version = [4, 1, 0];
const V5_3: Version = [5, 3, 0];
const V5_5: Version = [5, 5, 0];

function conf(overrides: Partial<RenewalConf> = {}): RenewalConf {
  return {
    version: '5.5.0',
    server: ACME_SERVERS.production,
    authenticator: 'webroot',
    account: undefined,
    keyType: 'ecdsa',
    ellipticCurve: 'secp256r1',
    rsaKeySize: undefined,
    profile: undefined,
    deployHook: undefined,
    webrootPaths: [],
    paths: {},
    ...overrides,
  };
}

/** A 90-day certificate for widgets.eu issued `ageDays` before NOW. */
function existing(ageDays: number, renewal: RenewalConf = conf(), domains = ['widgets.eu']): ExistingCertificate {
  const notBefore = new Date(NOW.getTime() - ageDays * DAY_MS);
  return { domains, notBefore, notAfter: new Date(notBefore.getTime() + 90 * DAY_MS), serial: 'abc123', renewal };
}

function plan(env: Record<string, string>, rest: Partial<PlanRequest> = {}) {
  return planCertbotRun({ config: makeConfig(env), existing: undefined, certbot: V5_5, now: NOW, ...rest });
}

const valueOf = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

describe('CERTBOT_PROFILE in the plan', () => {
  it('is required at issuance (--required-profile: a CA without it fails loudly instead of issuing something else)', () => {
    const { argv } = plan({ CERTBOT_PROFILE: 'tlsserver' });
    expect(valueOf(argv, '--required-profile')).toBe('tlsserver');
    expect(argv).not.toContain('--preferred-profile');
  });

  it('is not passed when empty: the CA picks its default', () => {
    expect(plan({}).argv.join(' ')).not.toMatch(/profile/);
  });

  it('is passed on every renewal with certbot 4.0, which does not save it', () => {
    const { action, argv } = plan({ CERTBOT_PROFILE: 'shortlived' }, { certbot: V4_0, existing: existing(10, conf({ version: '4.0.0' })) });
    expect(action).toBe('renew');
    expect(valueOf(argv, '--required-profile')).toBe('shortlived');
  });

  it('is left to the renewal conf with certbot >= 4.1 once saved there', () => {
    const { action, argv } = plan(
      { CERTBOT_PROFILE: 'shortlived' },
      { certbot: V5_5, existing: existing(10, conf({ profile: 'shortlived' })) },
    );
    expect(action).toBe('renew');
    expect(argv).not.toContain('--required-profile');
  });

  it('is passed on renewal when a lineage issued by certbot 4.0 is renewed by a newer one (no saved profile yet)', () => {
    const { action, argv } = plan({ CERTBOT_PROFILE: 'shortlived' }, { certbot: V4_1, existing: existing(10, conf({ version: '4.0.0' })) });
    expect(action).toBe('renew');
    expect(valueOf(argv, '--required-profile')).toBe('shortlived');
  });

  it('reissues when the profile changes, like a key type or CA change', () => {
    const { action, argv, reasons } = plan({ CERTBOT_PROFILE: 'classic' }, { existing: existing(10, conf({ profile: 'tlsserver' })) });
    expect(action).toBe('reissue');
    expect(argv[0]).toBe('certonly');
    expect(argv).toContain('--force-renewal');
    expect(valueOf(argv, '--required-profile')).toBe('classic');
    expect(reasons).toEqual(['changes the profile from tlsserver to classic']);
  });

  it('reissues when a profile is set over a certificate certbot >= 4.1 issued without one, and when it is removed', () => {
    expect(plan({ CERTBOT_PROFILE: 'tlsserver' }, { existing: existing(10, conf()) }).reasons).toEqual([
      "changes the profile from the CA's default to tlsserver",
    ]);
    expect(plan({}, { existing: existing(10, conf({ profile: 'tlsserver' })) }).reasons).toEqual([
      "changes the profile from tlsserver to the CA's default",
    ]);
  });

  it('does not reissue when the store cannot tell (a conf written by certbot 4.0, which saved no profile)', () => {
    expect(plan({ CERTBOT_PROFILE: 'tlsserver' }, { certbot: V4_0, existing: existing(10, conf({ version: '4.0.0' })) }).action).toBe(
      'renew',
    );
  });

  it('reissues when a profile is set over a certificate from certbot before 4.0 (which could not ask for one)', () => {
    const { action, reasons } = plan({ CERTBOT_PROFILE: 'shortlived' }, { existing: existing(10, conf({ version: '2.1.0' })) });
    expect(action).toBe('reissue');
    expect(reasons).toEqual(["changes the profile from the CA's default to shortlived"]);
  });

  it('leaves a certificate from certbot 2.1 alone after an image upgrade when no profile is set', () => {
    expect(plan({}, { existing: existing(10, conf({ version: '2.1.0' })) }).reasons).toEqual([expect.stringMatching(/^certbot decides: /)]);
  });

  it('goes into the rendered update-cert.sh too', () => {
    expect(valueOf(standaloneCertonlyArgv(makeConfig({ CERTBOT_PROFILE: 'shortlived' })), '--required-profile')).toBe('shortlived');
  });
});

describe('IP addresses in the plan', () => {
  it('asks for IP addresses with --ip-address and names with -d, in order, under the shortlived profile', () => {
    const { argv } = plan({ CERTBOT_DOMAIN: '192.0.2.10,widgets.eu,fd00::5' });
    const identifiers = argv.flatMap((word, index) => (word === '-d' || word === '--ip-address' ? [`${word} ${argv[index + 1]}`] : []));
    expect(identifiers).toEqual(['--ip-address 192.0.2.10', '-d widgets.eu', '--ip-address fd00::5']);
    expect(valueOf(argv, '--required-profile')).toBe('shortlived');
    expect(valueOf(argv, '--cert-name')).toBe('192.0.2.10');
  });

  it('keeps an IP certificate as is when the store shows the same address (compared in canonical form)', () => {
    const current = existing(1, conf({ profile: 'shortlived' }), ['fd00::5']);
    expect(plan({ CERTBOT_DOMAIN: 'FD00:0::5' }, { existing: current }).reasons).toEqual([expect.stringMatching(/^certbot decides: /)]);
  });
});

describe('the CA renewal window (ARI) in the plan', () => {
  const window = (startDays: number, endDays: number): RenewalWindow => ({
    start: new Date(NOW.getTime() + startDays * DAY_MS),
    end: new Date(NOW.getTime() + endDays * DAY_MS),
    explanationUrl: undefined,
  });

  it('renews now, saying the CA asked, when the CA moved the window into the past (certbot 5.5 caches ARI for hours)', () => {
    const { action, argv, reasons, validates, forceRenewal } = plan({}, { existing: existing(10), renewalWindow: window(-2, -1) });
    expect({ validates, forceRenewal }).toEqual({ validates: true, forceRenewal: true });
    expect(action).toBe('renew');
    expect(argv[0]).toBe('renew');
    expect(argv).toContain('--force-renewal');
    expect(reasons[0]).toMatch(/^the CA asked for renewal \(ARI\): its renewal window for this certificate runs /);
  });

  it('does the same for certbot 2.1, which knows nothing of ARI', () => {
    const { action, argv, reasons } = plan({}, { certbot: V2_1, existing: existing(10), renewalWindow: window(-1, 1) });
    expect(action).toBe('renew');
    expect(argv).toContain('--force-renewal');
    expect(reasons[0]).toContain('the CA asked for renewal (ARI)');
  });

  it('leaves the decision to certbot >= 4.0 when the window is still ahead, and says where it is', () => {
    const { action, argv, reasons } = plan({}, { existing: existing(10), renewalWindow: window(50, 52) });
    expect(action).toBe('renew');
    expect(argv).not.toContain('--force-renewal');
    expect(argv).toContain('--keep-until-expiring');
    expect(reasons[0]).toMatch(/^certbot decides: not due until /);
    expect(reasons[1]).toMatch(/^the CA's renewal window \(ARI\) runs .* this certificate renews at /);
  });

  it('keeps the certificate with certbot 2.1 when neither the window nor the threshold has come', () => {
    expect(plan({}, { certbot: V2_1, existing: existing(10), renewalWindow: window(50, 52) }).action).toBe('keep');
  });

  it('without a window, certbot >= 4.0 decides at its own threshold: the plan never forces', () => {
    for (const age of [10, 59, 61]) {
      const { argv } = plan({}, { existing: existing(age) });
      expect(argv).not.toContain('--force-renewal');
    }
  });

  it('a dry run is never turned into a forced renewal by the window', () => {
    const { argv } = plan({}, { existing: existing(10), renewalWindow: window(-2, -1), dryRun: true });
    expect(argv).toContain('--dry-run');
    expect(argv).not.toContain('--force-renewal');
  });
});

describe('what the running certbot image can do', () => {
  it('refuses CERTBOT_PROFILE before certbot 4.0, naming the version needed and the image to use', () => {
    expect(certbotSupportProblems(makeConfig({ CERTBOT_PROFILE: 'shortlived' }), V2_1)).toEqual([
      'CERTBOT_PROFILE: "shortlived" needs certbot 4.0.0 or newer; CERTBOT_IMAGE runs certbot 2.1.0. Use certbot/certbot:v4.0.0 or newer (ACME profiles).',
    ]);
    expect(certbotSupportProblems(makeConfig({ CERTBOT_PROFILE: 'shortlived' }), V4_0)).toEqual([]);
  });

  it('refuses IP addresses before certbot 5.4 (5.3 has --ip-address, but not with webroot)', () => {
    const config = makeConfig({ CERTBOT_DOMAIN: '192.0.2.10' });
    expect(certbotSupportProblems(config, V5_3)).toEqual([
      'CERTBOT_DOMAIN: the IP address 192.0.2.10 needs certbot 5.4.0 or newer; CERTBOT_IMAGE runs certbot 5.3.0. Use certbot/certbot:v5.4.0 or newer (--ip-address with webroot validation).',
    ]);
    expect(certbotSupportProblems(config, [5, 4, 0])).toEqual([]);
  });

  it('refuses certbot before 2.0 whatever is configured', () => {
    expect(certbotSupportProblems(makeConfig({}), [1, 32, 0])[0]).toContain('certkit needs 2.0.0 or newer');
  });

  it('accepts a plain configuration on every supported certbot', () => {
    for (const version of [V2_1, V4_0, V5_5]) expect(certbotSupportProblems(makeConfig({}), version)).toEqual([]);
  });

  it('names official image tags', () => {
    expect(certbotImageFor([5, 4, 0])).toBe('certbot/certbot:v5.4.0');
  });
});
