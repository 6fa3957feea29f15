import { describe, expect, it } from 'vitest';
import type { ConfigRef } from '../../../src/swarm/map-swarm.js';
import type { SecretRef } from '../../../src/swarm/rotation-plan.js';
import {
  certbotTaskHere,
  decideSecret,
  nginxAddressFor,
  nginxConfName,
  NGINX_CONF_TARGET,
  planServiceConfigs,
  unusedConfigs,
  withoutDeployHook,
} from '../../../src/swarm/serving-plan.js';
import { task } from './swarm.fixtures.js';

const ref = (name: string, target = 'certkit-web.pem'): SecretRef => ({
  secretId: `id-${name}`,
  secretName: name,
  target,
  uid: '0',
  gid: '0',
  mode: 0o400,
});

describe('decideSecret: what the nginx service mounts for a site, against the store', () => {
  it('leaves a site alone when the service mounts the version of the certificate in the store', () => {
    expect(decideSecret([ref('st-web-aaa'), ref('st-app-bbb', 'certkit-app.pem')], 'certkit-web.pem', 'st-web-aaa', false)).toEqual({
      action: 'current',
    });
  });

  it('adds a first certificate, and puts back one a stack deploy dropped (no new certificate)', () => {
    expect(decideSecret([], 'certkit-web.pem', 'st-web-aaa', true).action).toBe('add');
    const back = decideSecret([ref('st-app-bbb', 'certkit-app.pem')], 'certkit-web.pem', 'st-web-aaa', false);
    expect(back.action).toBe('restore');
    expect(back).toMatchObject({ reason: expect.stringMatching(/docker stack deploy.*putting st-web-aaa back/) as string });
  });

  it('rotates when the service mounts another version, or two at the same target', () => {
    expect(decideSecret([ref('st-web-old')], 'certkit-web.pem', 'st-web-new', true)).toMatchObject({
      action: 'rotate',
      from: 'st-web-old',
    });
    expect(decideSecret([ref('st-web-new'), ref('st-web-old')], 'certkit-web.pem', 'st-web-new', false).action).toBe('rotate');
  });
});

describe('nginx.conf as a config version', () => {
  const conf = (id: string, target = NGINX_CONF_TARGET): ConfigRef => ({
    configId: id,
    configName: `n-${id}`,
    target,
    uid: '0',
    gid: '0',
    mode: 0o444,
  });

  it('names a version by the hash of its text, within Swarm’s 64 characters', () => {
    const a = nginxConfName('certkit', 'events {}');
    expect(a).toMatch(/^certkit-nginx-[0-9a-f]{12}$/);
    expect(nginxConfName('certkit', 'events {}')).toBe(a);
    expect(nginxConfName('certkit', 'events { }')).not.toBe(a);
    expect(nginxConfName('s'.repeat(42), 'x').length).toBeLessThanOrEqual(64);
  });

  it('points nginx.conf’s reference at the new version, keeping the others and the mode', () => {
    const entry = conf('e', '/etc/certkit/swarm/entrypoint.sh');
    const plan = planServiceConfigs([conf('old'), entry], { id: 'new', name: 'n-new', target: NGINX_CONF_TARGET });
    expect(plan.changed).toBe(true);
    expect(plan.configs).toEqual([entry, { ...conf('old'), configId: 'new', configName: 'n-new' }]);
    expect(planServiceConfigs([conf('new')], { id: 'new', name: 'n-new', target: NGINX_CONF_TARGET }).changed).toBe(false);
  });

  it('refuses a service that mounts no nginx.conf (not deployed from compose.swarm.yaml), saying so', () => {
    expect(() => planServiceConfigs([], { id: 'new', name: 'n', target: NGINX_CONF_TARGET })).toThrow(
      /mounts no config at .*compose\.swarm\.yaml/,
    );
  });

  it('removes only versions no live task mounts, never the current one', () => {
    const versions = [{ id: 'v1' }, { id: 'v2' }, { id: 'v3' }];
    const tasks = [
      task('a', [], { configIds: ['v3'] }),
      task('b', [], { configIds: ['v2'], desiredState: 'shutdown', state: 'running' }),
      task('c', [], { configIds: ['v1'], desiredState: 'shutdown', state: 'shutdown' }),
    ];
    expect(unusedConfigs(versions, 'v3', tasks)).toEqual([{ id: 'v1' }]);
  });
});

describe('certbot on this node', () => {
  it('is the running task on this node', () => {
    const tasks = [task('old', [], { state: 'shutdown', desiredState: 'shutdown', nodeId: 'me' }), task('now', [], { nodeId: 'me' })];
    expect(certbotTaskHere(tasks, 'me', 'st_certbot', 'st').containerId).toBe('c-now');
  });

  it('is refused on another node, naming the node and the fix', () => {
    expect(() => certbotTaskHere([task('t', [], { nodeId: 'other' })], 'me', 'st_certbot', 'st')).toThrow(
      /st_certbot runs on node other, not on this one \(me\).*run certkit on that manager, or pin st_certbot/,
    );
  });

  it('is refused when no task runs, with the deploy command', () => {
    expect(() => certbotTaskHere([], 'me', 'st_certbot', 'st')).toThrow(
      /no task of st_certbot runs.*docker stack deploy -c compose\.swarm\.yaml st/,
    );
  });

  it('the test CA is pointed at an nginx task on a network certbot shares', () => {
    const certbot = task('cb', [], { addresses: { st_default: '10.0.1.2' } });
    const nginx = [
      task('n0', [], { state: 'starting', addresses: { st_default: '10.0.1.9' } }),
      task('n1', [], { addresses: { ingress: '10.0.0.4', st_default: '10.0.1.5' } }),
    ];
    expect(nginxAddressFor(nginx, certbot)).toBe('10.0.1.5');
    expect(nginxAddressFor([task('n', [], { addresses: { other: '10.9.0.1' } })], certbot)).toBeUndefined();
  });
});

describe('withoutDeployHook', () => {
  it('drops the hook and its path, in either spelling, and nothing else', () => {
    expect(withoutDeployHook(['certonly', '--deploy-hook', '/x.sh', '--cert-name', 'web', '--deploy-hook=/y.sh', '-n'])).toEqual([
      'certonly',
      '--cert-name',
      'web',
      '-n',
    ]);
  });
});
