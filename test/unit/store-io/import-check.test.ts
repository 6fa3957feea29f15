import { afterEach, describe, expect, it } from 'vitest';
import { isCertkitError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { checkImportAgainstConfig, planStoreImport, readImportSource } from '../../../src/store-io/import-store.js';
import { buildStore, FIXTURE_NOW, type LineageSpec, type StoreFixture } from '../../fixtures/store-fixtures.js';
import { makeConfig } from '../support/make-config.js';

const log = createLogger({ write: () => undefined });

describe('certkit import: the checks made before anything is written', () => {
  let fixture: StoreFixture | undefined;
  afterEach(async () => fixture?.remove());

  const source = async (spec: Partial<LineageSpec> = {}) => {
    fixture = await buildStore([{ name: 'widgets.eu', domains: ['widgets.eu'], ...spec }]);
    return readImportSource(fixture.root, FIXTURE_NOW, log);
  };
  const check = async (env: Record<string, string>) => {
    const read = await source();
    const plan = planStoreImport(read, new Map(), { force: false, now: FIXTURE_NOW });
    return checkImportAgainstConfig({ config: makeConfig(env), source: read, plan, certbot: [5, 5, 0], now: FIXTURE_NOW });
  };
  const refusal = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      if (isCertkitError(error)) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('accepts the certificate .env describes, which the next update renews rather than reissues', async () => {
    expect(await check({})).toMatchObject({ name: 'widgets.eu', domains: ['widgets.eu'] });
  });

  it('refuses a store doctor finds broken, with the findings', async () => {
    const error = await refusal(() => source({ live: 'copies' }));
    expect(error.code).toBe('STORE_INVALID');
    expect(error.message).toContain('is not a healthy certbot store; nothing was imported');
    expect(error.message).toContain('doctor --store');
  });

  it('refuses a CERTBOT_CERT_NAME that is none of the imported certificates', async () => {
    const error = await refusal(() => check({ CERTBOT_CERT_NAME: 'other' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('CERTBOT_CERT_NAME is "other", which is none of the certificates in');
    expect(error.message).toContain('(widgets.eu)');
  });

  it.each([
    [{ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu' }, 'adds www.widgets.eu'],
    [{ CERTBOT_KEY_TYPE: 'rsa-2048' }, 'changes the key from ecdsa secp256r1 to rsa 2048'],
    [{ CERTBOT_SERVER: 'staging' }, 'moves from https://acme-v02.api.letsencrypt.org/directory'],
  ])('refuses an .env under which the next update would reissue (%o)', async (env, reason) => {
    const error = await refusal(() => check(env));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('would replace the imported widgets.eu with a new certificate');
    expect(error.message).toContain(reason);
  });

  it('refuses a certificate certkit already holds, unless forced', async () => {
    const read = await source();
    const target = new Map([
      ['renewal/widgets.eu.conf', { type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: new Date(0) }],
    ]);
    const error = await refusal(async () => planStoreImport(read, target, { force: false, now: FIXTURE_NOW }));
    expect(error.message).toContain("certkit's store already holds widgets.eu; nothing was imported");
    expect(planStoreImport(read, target, { force: true, now: FIXTURE_NOW }).setAside).toHaveLength(1);
  });
});
