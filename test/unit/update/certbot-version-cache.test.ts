import { describe, expect, it } from 'vitest';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { CERTBOT_VERSION_FILE } from '../../../src/stack/layout.js';
import { readCertbotVersion } from '../../../src/update/update.js';

/** A certbot container with files (its /tmp) and a count of `certbot --version` runs. */
function fakeCertbot(answer: Version) {
  const files = new Map<string, string>();
  const certbot = {
    runs: 0,
    files,
    version: async (): Promise<Version> => {
      certbot.runs += 1;
      return answer;
    },
    readFile: async (path: string) => files.get(path),
    writeFile: async (path: string, text: string) => void files.set(path, text),
  };
  return certbot;
}

describe('readCertbotVersion', () => {
  it('runs `certbot --version` once per container and start, then answers from the cache', async () => {
    const certbot = fakeCertbot([5, 5, 0]);
    const cache = new Map<string, Version>();
    const container = { id: 'abc', startedAt: '2026-11-23T10:00:00Z' };
    expect(await readCertbotVersion(certbot, container, cache)).toEqual([5, 5, 0]);
    expect(await readCertbotVersion(certbot, container, cache)).toEqual([5, 5, 0]);
    expect(certbot.runs).toBe(1);
    // Restarted (new start time): asked again, since certbot may have changed inside.
    await readCertbotVersion(certbot, { id: 'abc', startedAt: '2026-11-23T11:00:00Z' }, cache);
    expect(certbot.runs).toBe(2);
  });

  it('between runs (no memory cache), answers from the file the first run left in the container', async () => {
    const certbot = fakeCertbot([2, 1, 0]);
    const container = { id: 'abc', startedAt: '2026-11-23T10:00:00Z' };
    expect(await readCertbotVersion(certbot, container, undefined)).toEqual([2, 1, 0]);
    expect(certbot.files.get(CERTBOT_VERSION_FILE)).toBe('2026-11-23T10:00:00Z 2.1.0\n');
    expect(await readCertbotVersion(certbot, container, undefined)).toEqual([2, 1, 0]);
    expect(certbot.runs).toBe(1);
    // A file from another start, or one that does not parse, is not trusted.
    certbot.files.set(CERTBOT_VERSION_FILE, '2026-11-22T10:00:00Z 1.0.0\n');
    expect(await readCertbotVersion(certbot, container, undefined)).toEqual([2, 1, 0]);
    certbot.files.set(CERTBOT_VERSION_FILE, '2026-11-23T10:00:00Z garbage\n');
    expect(await readCertbotVersion(certbot, container, undefined)).toEqual([2, 1, 0]);
    expect(certbot.runs).toBe(3);
  });

  it('still answers when the file cannot be written', async () => {
    const certbot = { ...fakeCertbot([5, 5, 0]), writeFile: async () => Promise.reject(new Error('read-only')) };
    expect(await readCertbotVersion(certbot, { id: 'abc' }, undefined)).toEqual([5, 5, 0]);
  });
});
