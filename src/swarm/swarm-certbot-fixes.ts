import type { CertbotFixes } from '../update/dns-preflight.js';

/** The stack file that gives the certbot service the DNS credentials as a Swarm secret (docs/swarm.md). */
export const SWARM_DNS_FILE = 'compose.swarm-dns.yaml';

/**
 * The DNS preflight's fixes on Swarm (pure): certbot's task gets a new image, variable or credentials secret only from
 * `docker stack deploy` again, and a changed credentials file needs a new secret version (secrets are immutable).
 */
export function swarmCertbotFixes(stack: string): CertbotFixes {
  const deploy = `CERTBOT_DNS_CREDENTIALS=/path/to/file CERTBOT_IMAGE=... CERTKIT_SWARM_CONF_VERSION=<a new one> docker stack deploy -c compose.swarm.yaml -c ${SWARM_DNS_FILE} ${stack}`;
  return {
    recreate: deploy,
    mountCredentials: `the certbot service has no secret at that path: deploy the stack with ${SWARM_DNS_FILE} too: ${deploy}`,
    awsVariables: `the Swarm stack files do not pass them to the certbot service (they would be in its spec, not a secret): on Swarm, use a DNS plugin that reads a credentials file (docs/swarm.md#dns-01-sites)`,
    chmod: () =>
      `the secret's mode comes from ${SWARM_DNS_FILE} (mode: 0600), not from the file on the host: keep that mode there and deploy again: ${deploy}`,
  };
}
