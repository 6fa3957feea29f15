import { join } from 'node:path';
import type { SwarmBed } from '../../../bench/swarm-bed.js';
import { readCertificateInfo, readCertificateInfoDer } from '../../../src/certs/read-certificate.js';
import type { Site } from '../../../src/sites/site.js';
import { runCommand, type CommandResult } from './docker-cli.js';
import { REPO } from './stack.js';

/** The swarm tests' .env site: the stack is first deployed with an nginx.conf for it alone. */
export const WEB_SITE: Site = {
  id: 'web',
  certName: 'web',
  names: ['web.swarm.certkit.test'],
  routes: [],
  challenge: { type: 'http' },
  profile: undefined,
  keyType: { type: 'ecdsa', curve: 'secp256r1' },
  sources: [{ kind: 'env', file: undefined }],
};

export const APP_NAME = 'app.swarm.certkit.test';

/** A stack service answering on port 3000 and announcing a site by deploy.labels (by default the site `app`). */
export function appService(
  image: string | undefined,
  body: string,
  labels: Record<string, string> = { 'certkit.host': APP_NAME, 'certkit.site': 'app' },
): Record<string, unknown> {
  return {
    image,
    command: ['node', '-e', `require('http').createServer((q, s) => s.end(${JSON.stringify(body)})).listen(3000)`],
    deploy: { labels: { 'certkit.port': '3000', ...labels } },
  };
}

/** The .env certkit reads for the swarm stack (the Pebble of the bed as the CA). */
export function swarmEnv(extra: readonly string[] = []): string {
  return [`CERTBOT_DOMAIN=${WEB_SITE.names[0]}`, 'CERTBOT_CERT_NAME=web', 'CERTBOT_SERVER=pebble', ...extra, ''].join('\n');
}

/** The serial of the certificate in certbot's store under this lineage. */
export async function storeSerial(bed: SwarmBed, certName: string): Promise<string> {
  return readCertificateInfo((await bed.readCertificate(certName)).fullchainPem).serial;
}

/** The serial each nginx replica serves for the name (none when the handshake is refused). */
export async function servedSerials(bed: SwarmBed, name: string): Promise<string[]> {
  return (await bed.servedByReplicas(name)).map((replica) => readCertificateInfoDer(Buffer.from(replica.der, 'base64')).serial);
}

/** Every nginx replica (two) serves the store's certificate of certName for the name: its serial, else undefined. */
export async function servedByAll(bed: SwarmBed, certName: string, name: string): Promise<string | undefined> {
  const serial = await storeSerial(bed, certName).catch(() => undefined);
  const served = await servedSerials(bed, name).catch(() => [] as string[]);
  return serial && served.length === 2 && served.every((entry) => entry === serial) ? serial : undefined;
}

/** The deploy options of a bed that runs certkit's daemon service (checking hourly) beside a labelled app service. */
export function daemonDeploy(images: Record<string, string>): { monitor: string; certkitEnv: string; services: Record<string, unknown> } {
  return {
    monitor: '2s',
    certkitEnv: swarmEnv(['CERTKIT_CHECK_INTERVAL=1h']),
    services: { app: appService(images['CERTKIT_NODE_IMAGE'], 'app\n') },
  };
}

/** The built CLI on the host, in `cwd` (a folder with the .env), driving the Swarm stack `stack`. */
export function swarmCertkit(cwd: string, stack: string, timeoutMs = 300_000): (args: readonly string[]) => Promise<CommandResult> {
  return (args) =>
    runCommand(process.execPath, [join(REPO, 'bin/certkit.js'), ...args], {
      cwd,
      env: { ...process.env, CI: '', CERTKIT_SWARM_STACK: stack },
      timeoutMs,
    });
}
