/** ACME directories certkit knows by name; CERTBOT_SERVER may also be any https URL. */
export const ACME_SERVERS = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  // The local test CA of the `pebble` compose profile, reached over the compose network.
  pebble: 'https://pebble:14000/dir',
} as const;

export type AcmeServerName = keyof typeof ACME_SERVERS | 'custom';

export interface AcmeServer {
  name: AcmeServerName;
  url: string;
}

export function serverByName(name: keyof typeof ACME_SERVERS): AcmeServer {
  return { name, url: ACME_SERVERS[name] };
}
