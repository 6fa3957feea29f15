import { describe, expect, it } from 'vitest';
import type { ConfigRef } from '../../../src/swarm/map-swarm.js';
import type { SecretRef } from '../../../src/swarm/rotation-plan.js';
import { NGINX_CONF_TARGET } from '../../../src/swarm/serving-plan.js';
import { planServingSet } from '../../../src/swarm/serving-set.js';

const secret = (site: string, version: string, mode = 0o400): SecretRef => ({
  secretId: `id-${site}-${version}`,
  secretName: `st-${site}-${version}`,
  target: `certkit-${site}.pem`,
  uid: '0',
  gid: '0',
  mode,
});
const staged = (site: string, version: string) => ({
  site,
  id: `id-${site}-${version}`,
  name: `st-${site}-${version}`,
  target: `certkit-${site}.pem`,
});
const conf = (version: string): ConfigRef => ({
  configId: `conf-${version}`,
  configName: `st-nginx-${version}`,
  target: NGINX_CONF_TARGET,
  uid: '0',
  gid: '0',
  mode: 0o444,
});
const entrypoint: ConfigRef = { ...conf('entry'), target: '/etc/certkit/swarm/entrypoint.sh' };

describe('planServingSet: one sweep, one service update', () => {
  it('after a redeploy dropped every secret, puts all the sites back and changes nginx.conf in one plan', () => {
    const plan = planServingSet(
      { secrets: [], configs: [conf('old'), entrypoint] },
      {
        secrets: [staged('web', 'a'), staged('app', 'b'), staged('wiki', 'c')],
        config: { id: 'conf-new', name: 'st-nginx-new', target: NGINX_CONF_TARGET },
      },
    );
    expect(plan.changed).toBe(true);
    expect(plan.changedSites).toEqual(['web', 'app', 'wiki']);
    expect(plan.configChanged).toBe(true);
    expect(plan.secrets.map((ref) => [ref.secretName, ref.target, ref.mode])).toEqual([
      ['st-web-a', 'certkit-web.pem', 0o400],
      ['st-app-b', 'certkit-app.pem', 0o400],
      ['st-wiki-c', 'certkit-wiki.pem', 0o400],
    ]);
    // The entrypoint's config is left as it is; nginx.conf's reference points at the new version.
    expect(plan.configs?.map((ref) => ref.configName).sort()).toEqual(['st-nginx-entry', 'st-nginx-new']);
  });

  it('rotates the renewed sites, keeps the current ones and the secrets certkit does not own, owner and mode kept', () => {
    const foreign: SecretRef = { ...secret('x', '1'), target: 'app-password' };
    const plan = planServingSet(
      { secrets: [secret('web', 'old', 0o440), secret('app', 'b'), foreign], configs: [conf('same')] },
      { secrets: [staged('web', 'new'), staged('app', 'b')] },
    );
    expect(plan.changedSites).toEqual(['web']);
    expect(plan.configChanged).toBe(false);
    expect(plan.configs).toBeUndefined();
    expect(plan.secrets).toHaveLength(3);
    expect(plan.secrets).toContainEqual(foreign);
    expect(plan.secrets).toContainEqual({ ...secret('web', 'new'), mode: 0o440 });
  });

  it('changes nothing when the service mounts every version already', () => {
    const plan = planServingSet(
      { secrets: [secret('web', 'a'), secret('app', 'b')], configs: [conf('c')] },
      { secrets: [staged('web', 'a'), staged('app', 'b')], config: { id: 'conf-c', name: 'st-nginx-c', target: NGINX_CONF_TARGET } },
    );
    expect(plan).toMatchObject({ changed: false, changedSites: [], configChanged: false });
  });

  it('collapses two versions mounted at one site’s file into the staged one', () => {
    const plan = planServingSet({ secrets: [secret('web', 'a'), secret('web', 'b')], configs: [] }, { secrets: [staged('web', 'b')] });
    expect(plan.changedSites).toEqual(['web']);
    expect(plan.secrets.map((ref) => ref.secretName)).toEqual(['st-web-b']);
  });

  it('refuses two staged versions for one file, and a service without nginx.conf’s mount', () => {
    expect(() => planServingSet({ secrets: [], configs: [] }, { secrets: [staged('web', 'a'), staged('web', 'b')] })).toThrow(
      /two staged versions for the file certkit-web\.pem/,
    );
    expect(() =>
      planServingSet({ secrets: [], configs: [] }, { secrets: [], config: { id: 'c', name: 'st-nginx-c', target: NGINX_CONF_TARGET } }),
    ).toThrow(/mounts no config at \/etc\/certkit\/swarm\/nginx\.conf/);
  });
});
