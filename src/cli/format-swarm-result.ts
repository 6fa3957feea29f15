import type { SwarmUpdateResult } from '../swarm/swarm-update.js';

const SERVING: Record<string, string> = {
  current: 'already mounted',
  add: 'added to nginx',
  restore: 'put back into nginx',
  rotate: 'rotated into nginx',
};

/** `certkit update` on Swarm, for people: a line per site (what certbot did, the secret nginx mounts), then refusals. */
export function formatSwarmResult(result: SwarmUpdateResult): string {
  const lines = [
    `stack ${result.stack}: nginx.conf ${result.nginxConf.name}${result.nginxConf.changed ? ' (rolled out)' : ''}${
      result.nginxConf.failed ? ` (the new version NOT rolled out: ${result.nginxConf.failed})` : ''
    }${result.nginxConf.removed.length > 0 ? `; removed ${result.nginxConf.removed.join(', ')}` : ''}`,
  ];
  for (const outcome of result.sites) {
    if (outcome.error) {
      lines.push(`site ${outcome.site} (${outcome.names.join(', ')}): FAILED: ${outcome.error.message}`);
      continue;
    }
    const site = outcome.result;
    if (outcome.skipped) lines.push(`site ${outcome.site} (${outcome.names.join(', ')}): waits (${outcome.skipped})`);
    if (!site) continue;
    const serving = site.serving ? `; secret ${site.secret} ${SERVING[site.serving] ?? site.serving}` : '';
    const removed = site.removed.length > 0 ? `; removed ${site.removed.join(', ')}` : '';
    lines.push(
      `site ${outcome.site} (${outcome.names.join(', ')}): ${site.action}${site.serial ? `, serial ${site.serial}` : ''}${
        site.notAfter ? `, until ${site.notAfter.toISOString()}` : ''
      }${serving}${removed}`,
    );
  }
  for (const refusal of result.refused) lines.push(`refused: ${refusal}`);
  return `${lines.join('\n')}\n`;
}

/** A daemon check on Swarm in one line: each site's action and serial, and what became of its secret. */
export function describeSwarmResult(result: SwarmUpdateResult): string {
  const sites = result.sites.map((outcome) =>
    outcome.error
      ? `site ${outcome.site} failed (${outcome.error.code ?? 'error'})`
      : outcome.skipped
        ? `site ${outcome.site} waits (${outcome.skipped})`
        : `site ${outcome.site} ${outcome.result?.action ?? 'done'} (serial ${outcome.result?.serial ?? 'none'}${
            outcome.result?.serving && outcome.result.serving !== 'current'
              ? `, ${SERVING[outcome.result.serving] ?? outcome.result.serving}`
              : ''
          })`,
  );
  return [`nginx.conf ${result.nginxConf.name}${result.nginxConf.changed ? ' rolled out' : ''}`, ...sites].join('; ');
}
