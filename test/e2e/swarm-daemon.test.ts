import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deploySwarmBed,
  ensureSwarm,
  leaveSwarm,
  prepareSwarmBed,
  removeSwarmBed,
  type SwarmBed,
  type SwarmJoined,
} from '../../bench/swarm-bed.js';
import { renderSwarmNginx } from '../../src/swarm/render-swarm-nginx.js';
import { APP_NAME, appService, servedSerials, storeSerial as serialIn, swarmEnv, WEB_SITE as WEB } from './support/swarm-sites.js';
import { runCommand } from './support/docker-cli.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// compose.swarm.yaml's certkit service (the certkit image built from this tree, `certkit daemon`, .env as a secret,
// the engine's socket) drives the stack by itself: it issues the .env site and a site announced by an app's
// deploy.labels, and after a `docker stack deploy` again (which drops the secrets and resets nginx.conf) it puts them
// back, woken by Swarm's service events long before its hourly check.
describe.skipIf(dockerMissing !== '')("swarm: certkit's daemon service drives the stack", () => {
  let swarm: SwarmJoined | undefined;
  let bed: SwarmBed;
  const serialsServed = (name: string) => servedSerials(bed, name).catch(() => [] as string[]);
  const storeSerial = (certName: string) => serialIn(bed, certName);
  /** Every replica serves the store's certificate for the name: its serial, else undefined. */
  const servedByAll = async (certName: string, name: string) => {
    const serial = await storeSerial(certName).catch(() => undefined);
    const served = await serialsServed(name);
    return serial && served.length === 2 && served.every((entry) => entry === serial) ? serial : undefined;
  };

  beforeAll(async () => {
    swarm = await ensureSwarm();
    bed = prepareSwarmBed({ site: WEB });
    const images = inject('images');
    await deploySwarmBed(bed, {
      images,
      legacy: inject('stack') === 'legacy',
      renderNginx: (sites) => renderSwarmNginx(sites),
      monitor: '2s',
      certkitEnv: swarmEnv(['CERTKIT_CHECK_INTERVAL=1h']),
      services: {
        app: appService(images['CERTKIT_NODE_IMAGE'], 'app\n'),
      },
    });
  }, 300_000);

  afterAll(async () => {
    if (bed) await removeSwarmBed(bed);
    await leaveSwarm(swarm);
  }, 180_000);

  // certkit logs to stderr, which `docker service logs` passes on as its own stderr.
  const logs = async () => {
    const result = await runCommand('docker', ['service', 'logs', '--raw', `${bed.name}_certkit`]);
    return result.stdout + result.stderr;
  };

  it('issues the .env site and the labelled site by itself, served by every replica', async () => {
    for (const [certName, name] of [
      ['web', WEB.names[0] as string],
      ['app', APP_NAME],
    ] as const) {
      await waitUntil(`every replica to serve ${name}`, () => servedByAll(certName, name), { timeoutMs: 240_000, intervalMs: 3_000 }).catch(
        async (error: Error) => {
          throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
        },
      );
    }
  });

  it('puts the secrets back after `docker stack deploy` again, woken by the service events, without a new certificate', async () => {
    const serial = await storeSerial('app');
    await bed.redeploy();
    await waitUntil('the replicas without the secret', async () => ((await serialsServed(APP_NAME)).length === 0 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    }).catch(() => undefined);
    const back = await waitUntil('every replica to serve the app again', () => servedByAll('app', APP_NAME), {
      timeoutMs: 240_000,
      intervalMs: 3_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    expect(back).toBe(serial);
    const log = await logs();
    expect(log).toMatch(new RegExp(`service ${bed.name}_nginx: update; checking the sites`));
    expect(log).toMatch(/put back into nginx/);
    expect(log).not.toMatch(/PRIVATE KEY/);
  });
});
