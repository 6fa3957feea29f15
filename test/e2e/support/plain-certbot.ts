import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { CertbotContainer } from '../../../src/certbot/certbot-container.js';
import { normalizeSerial } from '../../../src/certs/read-certificate.js';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { pointPebbleDnsAt } from '../../../src/update/pebble-dns.js';
import { serviceAddress } from './acme-features.js';
import { runCommand } from './docker-cli.js';
import type { TestStack } from './stack.js';

/**
 * certbot run by hand, outside certkit, as a user ran it before certkit: `certonly --webroot` against Pebble for the
 * stack's names, its config dir a host folder (`store`, mounted at `configDir`), validating through the stack's
 * webroot volume (mounted at `webroot`), which the stack's nginx serves. Pebble's DNS is pointed at that nginx first.
 * `extraArgs` go after `certonly`. Returns the serial of the certificate now in `store/live/FIRST-NAME/`.
 */
export async function certonlyOutsideCertkit(
  stack: TestStack,
  options: { store: string; configDir: string; webroot: string; extraArgs?: readonly string[] },
): Promise<string> {
  const certbotPython: Pick<CertbotContainer, 'python'> = {
    python: async (script, args) => {
      const result = await stack.exec('certbot', ['python3', '-c', script, ...args]);
      if (result.code !== 0) throw new Error(result.stderr);
      return result.stdout;
    },
  };
  await pointPebbleDnsAt(certbotPython as CertbotContainer, await serviceAddress(stack, 'nginx'));
  const plain = await runCommand('docker', [
    'run',
    '--rm',
    '--network',
    `${stack.project}_default`,
    '-v',
    `${options.store}:${options.configDir}`,
    '-v',
    `${stack.project}_certbot-webroot:${options.webroot}`,
    '-e',
    'PYTHONWARNINGS=ignore',
    inject('images')['CERTBOT_IMAGE'] as string,
    'certonly',
    '--non-interactive',
    ...(options.extraArgs ?? []),
    '--webroot',
    '-w',
    options.webroot,
    ...stack.names.flatMap((domain) => ['-d', domain]),
    '--server',
    ACME_SERVERS.pebble,
    '--no-verify-ssl',
    '--agree-tos',
    '--email',
    'admin@example.org',
    '--no-eff-email',
    '--key-type',
    'ecdsa',
    '--elliptic-curve',
    'secp256r1',
  ]);
  if (plain.code !== 0) throw new Error(`certbot outside certkit failed:\n${plain.stdout}${plain.stderr}`);
  const pem = await readFile(join(options.store, 'live', stack.names[0] as string, 'cert.pem'), 'utf8');
  return normalizeSerial(new X509Certificate(pem).serialNumber);
}
