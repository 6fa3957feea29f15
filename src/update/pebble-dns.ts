import type { CertbotContainer } from '../certbot/certbot-container.js';
import { CertkitError } from '../errors.js';

/** Sets pebble-challtestsrv's default answers: argv[1] its management URL, argv[2] the IPv4 address (no IPv6). */
export const PEBBLE_DNS_SCRIPT = `
import json, sys, urllib.request
base, ip = sys.argv[1], sys.argv[2]
for path, body in (("/set-default-ipv4", {"ip": ip}), ("/set-default-ipv6", {"ip": ""})):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()
print("ok")
`;

export const CHALLTESTSRV_URL = 'http://pebble-challtestsrv:8055';

/**
 * The `pebble` profile's CA resolves names through pebble-challtestsrv; pointing its default answer at nginx makes
 * every name in CERTBOT_DOMAIN validate against this stack, with no DNS and no domain.
 */
export async function pointPebbleDnsAt(certbot: CertbotContainer, nginxAddress: string): Promise<void> {
  try {
    await certbot.python(PEBBLE_DNS_SCRIPT, [CHALLTESTSRV_URL, nginxAddress]);
  } catch (error) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `CERTBOT_SERVER=pebble, but the pebble profile's DNS (pebble-challtestsrv) does not answer: start the stack with \`docker compose --profile certbot --profile pebble up -d\`.`,
      { cause: error },
    );
  }
}
