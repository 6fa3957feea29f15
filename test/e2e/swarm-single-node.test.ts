import { describe, expect, inject, it } from 'vitest';
import { docker, nginxReplicas } from '../../bench/swarm-bed.js';
import { readCertificateInfo as readCertificate, readCertificateInfoDer } from '../../src/certs/read-certificate.js';
import { createLogger } from '../../src/log.js';
import type { RotateSiteResult } from '../../src/swarm/rotate-site.js';
import { WEB_SITE } from './support/swarm-sites.js';
import { rotateBed } from './support/swarm-rotate.js';
import { probeCertificate } from './support/tls.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

const SITE = WEB_SITE;

// certkit on a single-node Swarm: compose.swarm.yaml deployed as a stack (two nginx replicas), a certificate issued by
// Pebble over HTTP-01 through any replica, rotated into every replica as a Swarm secret, renewed and rotated again,
// and the old version removed. The swarm is this engine's: initialised only if there was none, and left only then.
describe.skipIf(dockerMissing !== '')('swarm: a single-node Swarm issues, serves, renews and rotates', () => {
  const suite = useSwarmBed({ site: SITE });
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const rotate = (): Promise<RotateSiteResult> => rotateBed(suite.bed, log);
  const servedSerials = async () =>
    (await suite.bed.servedByReplicas()).map((replica) => readCertificateInfoDer(Buffer.from(replica.der, 'base64')).serial);
  const secretsOfSite = async () =>
    (
      await docker([
        'secret',
        'ls',
        '--filter',
        `label=certkit.stack=${suite.bed.name}`,
        '--filter',
        `label=certkit.site=${SITE.id}`,
        '--format',
        '{{.Name}}',
      ])
    )
      .trim()
      .split('\n')
      .filter(Boolean);

  it('answers an ACME challenge through every nginx replica, from the one webroot certbot writes', async () => {
    const token = `probe-${suite.bed.name}`;
    await suite.bed.certbotExec(['/bin/sh', '-c', `printf %s ${token} > /var/www/certbot/.well-known/acme-challenge/${token}`]);
    const replicas = await suite.bed.servedByReplicas().catch(() => []);
    expect(replicas.length, 'before a certificate, a handshake is refused').toBe(0);
    const tasks = await nginxReplicas(suite.bed);
    expect(tasks).toHaveLength(2);
    for (const task of tasks) expect(await suite.bed.httpGet(task.ip, `/.well-known/acme-challenge/${token}`)).toBe(token);
  });

  let first: RotateSiteResult;
  it('issues with Pebble over HTTP-01 and rotates the certificate into every replica as a secret', async () => {
    await suite.bed.issue();
    first = await rotate();
    expect(first.updated).toBe(true);
    expect(first.secret.target).toBe('certkit-web.pem');
    const { fullchainPem } = await suite.bed.readCertificate();
    const serial = readCertificate(fullchainPem).serial;
    expect(await servedSerials()).toEqual([serial, serial]);
    // Through the published port (the forwarder on 127.0.0.1 in front of Swarm's VIP).
    const presented = await waitUntil(
      'the certificate through the published port',
      () => probeCertificate(suite.bed.port as number, SITE.names[0] as string),
      {
        timeoutMs: 20_000,
      },
    );
    expect(presented.serial).toBe(serial);
    expect(presented.names).toEqual(SITE.names);
    expect(await secretsOfSite()).toEqual([first.secret.name]);
    // The key never reaches a log line.
    expect(lines.join('')).not.toMatch(/PRIVATE KEY/);
  });

  it('renews, rotates start-first with every replica on the new serial, and removes the old version', async () => {
    await suite.bed.issue();
    const { fullchainPem } = await suite.bed.readCertificate();
    const serial = readCertificate(fullchainPem).serial;
    const second = await rotate();
    expect(second.secret.name).not.toBe(first.secret.name);
    expect(second.updated).toBe(true);
    expect(second.removed).toEqual([first.secret.name]);
    expect(await servedSerials()).toEqual([serial, serial]);
    expect(await secretsOfSite()).toEqual([second.secret.name]);
    const spec = JSON.parse(await docker(['service', 'inspect', suite.bed.service, '--format', '{{json .Spec.UpdateConfig}}'])) as Record<
      string,
      unknown
    >;
    expect(spec).toMatchObject({ Order: 'start-first', FailureAction: 'rollback' });
    // A rotation with nothing new changes nothing.
    const again = await rotate();
    expect(again.updated).toBe(false);
    expect(again.secret.name).toBe(second.secret.name);
  });

  it('a stack deploy again drops the secret from the service; the next rotation puts it back', async () => {
    // What a user sees after re-running `docker stack deploy`: nginx restarts without the certificate until certkit
    // rotates again. Simulated by removing the secret from the service, as the stack file names none.
    await docker(['service', 'update', '--detach', '--secret-rm', (await secretsOfSite())[0] as string, suite.bed.service], {
      timeoutMs: 120_000,
    });
    await waitUntil(
      'the replicas without the secret',
      async () => ((await suite.bed.servedByReplicas().catch(() => [])).length === 0 ? true : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 2_000,
      },
    );
    const back = await rotate();
    expect(back.updated).toBe(true);
    const serial = readCertificate((await suite.bed.readCertificate()).fullchainPem).serial;
    expect(await servedSerials()).toEqual([serial, serial]);
  });
});
