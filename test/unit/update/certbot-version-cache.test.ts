import { describe, expect, it } from 'vitest';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { readCertbotVersion } from '../../../src/update/update.js';

describe('readCertbotVersion', () => {
  it('runs `certbot --version` once per container and start, then answers from the cache', async () => {
    let runs = 0;
    const certbot = {
      version: async (): Promise<Version> => {
        runs += 1;
        return [5, 5, 0];
      },
    };
    const cache = new Map<string, Version>();
    const container = { id: 'abc', startedAt: '2026-11-23T10:00:00Z' };
    expect(await readCertbotVersion(certbot, container, cache)).toEqual([5, 5, 0]);
    expect(await readCertbotVersion(certbot, container, cache)).toEqual([5, 5, 0]);
    expect(runs).toBe(1);
    // Recreated (new id) or restarted (new start time): asked again, since the image may have changed.
    await readCertbotVersion(certbot, { id: 'def', startedAt: '2026-11-23T10:00:00Z' }, cache);
    await readCertbotVersion(certbot, { id: 'abc', startedAt: '2026-11-23T11:00:00Z' }, cache);
    expect(runs).toBe(3);
  });

  it('asks every time without a cache (a one-off `certkit update`)', async () => {
    let runs = 0;
    const certbot = {
      version: async (): Promise<Version> => {
        runs += 1;
        return [2, 1, 0];
      },
    };
    await readCertbotVersion(certbot, { id: 'abc' }, undefined);
    await readCertbotVersion(certbot, { id: 'abc' }, undefined);
    expect(runs).toBe(2);
  });
});
