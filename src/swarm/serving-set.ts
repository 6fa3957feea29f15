import type { ConfigRef } from './map-swarm.js';
import { planServiceSecrets, type SecretRef } from './rotation-plan.js';
import { planServiceConfigs } from './serving-plan.js';

/**
 * Pure: everything one sweep wants the nginx service to mount, merged into the service's references at once, so a
 * sweep that renews several sites, puts back what a `docker stack deploy` dropped and changes nginx.conf costs one
 * rolling update, not one per site.
 */

/** A version created for the sweep (a site's secret, or nginx.conf's config): which file name it replaces. */
export interface StagedVersion {
  id: string;
  name: string;
  target: string;
}

/** A site's secret version, staged: the site it belongs to, for per-site outcomes. */
export interface StagedSiteSecret extends StagedVersion {
  site: string;
}

export interface ServingSetPlan {
  /** The service's whole secret list after the update. */
  secrets: SecretRef[];
  /** The service's whole config list after the update; undefined when no config is wanted (left as it is). */
  configs: ConfigRef[] | undefined;
  /** The sites whose reference changes (a new version, an added or put-back one). */
  changedSites: string[];
  configChanged: boolean;
  /** Whether one service update is needed at all. */
  changed: boolean;
}

export function planServingSet(
  current: { secrets: readonly SecretRef[]; configs: readonly ConfigRef[] },
  wanted: { secrets: readonly StagedSiteSecret[]; config?: StagedVersion | undefined },
): ServingSetPlan {
  const targets = new Set<string>();
  let secrets: SecretRef[] = [...current.secrets];
  const changedSites: string[] = [];
  for (const secret of wanted.secrets) {
    if (targets.has(secret.target)) {
      throw new Error(`two staged versions for the file ${secret.target} (${secret.name}): a sweep stages one per site`);
    }
    targets.add(secret.target);
    const plan = planServiceSecrets(secrets, secret);
    secrets = plan.secrets;
    if (plan.changed) changedSites.push(secret.site);
  }
  const config = wanted.config ? planServiceConfigs(current.configs, wanted.config) : undefined;
  const configChanged = config?.changed ?? false;
  return {
    secrets,
    configs: config?.configs,
    changedSites,
    configChanged,
    changed: changedSites.length > 0 || configChanged,
  };
}
