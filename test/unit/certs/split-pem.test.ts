import { describe, expect, it } from 'vitest';
import { splitPemCertificates } from '../../../src/certs/read-certificate.js';

const B = '-----BEGIN CERTIFICATE-----';
const E = '-----END CERTIFICATE-----';
/** The rule splitPemCertificates keeps: each BEGIN up to the next END, with something between. */
const byRegex = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

describe('splitting a PEM bundle into certificates', () => {
  const cases = [
    '',
    `${B}\nAAAA\n${E}\n`,
    `${B}\nAAAA\n${E}\n${B}\nBBBB\n${E}\n`,
    `junk\n${B}\nAAAA\n${E}\nmore junk\n${B}\nBBBB\n${E}`,
    `${B}${E}`,
    `${B}\nAAAA\n`,
    `${B}\nA\n${B}\nB\n${E}\n`,
    `${E}\n${B}\nA\n${E}`,
    `-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n${B}\nA\n${E}\n`,
  ];
  for (const pem of cases)
    it(`${JSON.stringify(pem).slice(0, 60)}…`, () => {
      expect(splitPemCertificates(pem)).toEqual(byRegex(pem));
    });
});
