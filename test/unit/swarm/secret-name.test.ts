import { describe, expect, it } from 'vitest';
import {
  SECRET_DATA_MAX,
  SECRET_NAME,
  SECRET_NAME_MAX,
  checkSecretData,
  checkSecretName,
  secretTarget,
  secretVersionName,
} from '../../../src/swarm/secret-name.js';

const CERT_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const CERT_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';

describe('secretVersionName', () => {
  it('names a version by stack, site and a hash of the certificate, with a target that never changes', () => {
    const a = secretVersionName('certkit', 'wiki', CERT_A);
    const b = secretVersionName('certkit', 'wiki', CERT_B);
    expect(a.name).toMatch(/^certkit-wiki-[0-9a-f]{12}$/);
    expect(b.name).not.toBe(a.name);
    expect(a.target).toBe('certkit-wiki.pem');
    expect(b.target).toBe(a.target);
    expect(secretVersionName('certkit', 'wiki', CERT_A)).toEqual(a);
  });

  it('keeps every name within 64 characters of the allowed set, a long site id cut and told apart by its hash', () => {
    const long1 = `${'a'.repeat(62)}-1`;
    const long2 = `${'a'.repeat(62)}-2`;
    const one = secretVersionName('prod-stack', long1, CERT_A).name;
    const two = secretVersionName('prod-stack', long2, CERT_A).name;
    for (const name of [one, two]) {
      expect(name.length).toBeLessThanOrEqual(SECRET_NAME_MAX);
      expect(name).toMatch(SECRET_NAME);
    }
    expect(one).not.toBe(two);
    // The boundary: an id that just fits is kept whole.
    const fits = 'b'.repeat(SECRET_NAME_MAX - 'prod-stack'.length - 12 - 2);
    expect(secretVersionName('prod-stack', fits, CERT_A).name).toBe(`prod-stack-${fits}-${one.slice(-12)}`);
    expect(secretVersionName('prod-stack', fits, CERT_A).name).toHaveLength(SECRET_NAME_MAX);
  });

  it('keeps an id whose start is a dot or dash-free site id valid, and the .env site', () => {
    expect(secretVersionName('s', 'env', CERT_A).name).toMatch(/^s-env-[0-9a-f]{12}$/);
    expect(secretVersionName('s', 'a.b_c-d', CERT_A).name).toMatch(SECRET_NAME);
  });

  it('refuses a stack name that leaves no room or breaks the charset, naming the value', () => {
    expect(() => secretVersionName('x'.repeat(50), 'wiki', CERT_A)).toThrow(/"x{50}" is 50 characters.*at most 42/);
    expect(() => secretVersionName('my stack', 'wiki', CERT_A)).toThrow(/"my stack" cannot start a secret name/);
    expect(() => secretVersionName('-stack', 'wiki', CERT_A)).toThrow(/cannot start a secret name/);
  });
});

describe('secretTarget', () => {
  it('is certkit-<site>.pem, and refuses an id that could leave /run/secrets', () => {
    expect(secretTarget('shop')).toBe('certkit-shop.pem');
    expect(() => secretTarget('../etc')).toThrow(/site id "..\/etc" cannot name a secret file/);
    expect(() => secretTarget('a/b')).toThrow(/cannot name a secret file/);
  });
});

describe("Swarm's limits", () => {
  it('accepts 64 characters, refuses 65, and refuses characters Swarm refuses', () => {
    expect(() => checkSecretName('a'.repeat(64))).not.toThrow();
    expect(() => checkSecretName('a'.repeat(65))).toThrow(/is 65 characters; Swarm allows at most 64/);
    for (const bad of ['a b', 'a/b', 'a:b', '-a', 'a-', '.a', 'é']) expect(() => checkSecretName(bad), bad).toThrow(/not allowed by Swarm/);
    for (const good of ['a', 'A1', 'a_b.c-d']) expect(() => checkSecretName(good), good).not.toThrow();
  });

  it('accepts 500 KiB of data and refuses one byte more, naming the site and the size', () => {
    expect(SECRET_DATA_MAX).toBe(512_000);
    expect(() => checkSecretData('wiki', SECRET_DATA_MAX)).not.toThrow();
    expect(() => checkSecretData('wiki', SECRET_DATA_MAX + 1)).toThrow(/site wiki: .* 512001 bytes, over Swarm's limit of 512000/);
  });
});
