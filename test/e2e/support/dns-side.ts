import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { TestStack } from './stack.js';

export const TSIG_KEY = 'certkit-e2e.';

/**
 * The DNS side of the test: bind9 authoritative for the zone on a fixed address (dns-rfc2136 wants an IP), a TSIG key
 * whose update policy allows only TXT records at _acme-challenge.ZONE, and Pebble validating DNS-01 by asking bind
 * (no challtestsrv, no always-valid VA). Written into the stack's folder as a Compose override.
 */
export async function writeDnsSide(
  stack: TestStack,
  zone: string,
  secret: string,
  /** More records for the zone file, and more names whose _acme-challenge TXT the key may change (other sites). */
  more: { records?: (subnet: string) => string; challengeNames?: readonly string[]; services?: (subnet: string) => string } = {},
): Promise<{ address: string; subnet: string }> {
  const subnet = `172.29.${randomInt(0, 256)}`;
  const address = `${subnet}.53`;
  const images = inject('images');
  await writeBindFiles(join(stack.dir, 'bind'), zone, secret, address, {
    records: more.records?.(subnet),
    challengeNames: more.challengeNames,
  });
  await writeDnsOverride(
    stack,
    subnet,
    `  bind9:
    image: ${images['CERTKIT_TEST_BIND9_IMAGE']}
    volumes:
      - ./bind:/etc/certkit-dns
    networks:
      default:
        ipv4_address: ${address}
  certbot:
    image: ${images['CERTKIT_TEST_CERTBOT_DNS_IMAGE']}
  pebble:
    command: ['-config', '/etc/certkit/pebble/pebble-config.json', '-dnsserver', '${address}:53']
    depends_on:
      - bind9
${more.services?.(subnet) ?? ''}`,
  );
  return { address, subnet };
}

/**
 * bind9's configuration for the zone, in `dir` (mounted at /etc/certkit-dns): authoritative at `address`, the TSIG key
 * allowed to change only the TXT records at _acme-challenge of the zone and of `challengeNames`.
 */
export async function writeBindFiles(
  dir: string,
  zone: string,
  secret: string,
  address: string,
  more: { records?: string; challengeNames?: readonly string[] } = {},
): Promise<void> {
  await mkdir(dir);
  await writeFile(
    join(dir, 'named.conf'),
    `options {
  directory "/var/cache/bind";
  pid-file none;
  listen-on { any; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { any; };
  dnssec-validation no;
};
key "${TSIG_KEY}" { algorithm hmac-sha512; secret "${secret}"; };
zone "${zone}" {
  type primary;
  file "/etc/certkit-dns/db.zone";
  update-policy {
    grant ${TSIG_KEY} name _acme-challenge.${zone}. txt;
${(more.challengeNames ?? []).map((name) => `    grant ${TSIG_KEY} name _acme-challenge.${name}. txt;\n`).join('')}  };
};
`,
  );
  await writeFile(
    join(dir, 'db.zone'),
    `$TTL 60
@ IN SOA ns1.${zone}. hostmaster.${zone}. ( 1 60 60 600 60 )
@ IN NS ns1.${zone}.
ns1 IN A ${address}
${more.records ?? ''}`,
  );
}

/** The rfc2136 plugin's credentials for the test's bind (dns_rfc2136_server must be an IP address). */
export function rfc2136Credentials(address: string, secret: string): string {
  return `dns_rfc2136_server = ${address}\ndns_rfc2136_port = 53\ndns_rfc2136_name = ${TSIG_KEY}\ndns_rfc2136_secret = ${secret}\ndns_rfc2136_algorithm = HMAC-SHA512\n`;
}

/** Adds a Compose override giving the internal network a fixed subnet (DNS plugins want IP addresses), with these services. */
export async function writeDnsOverride(stack: TestStack, subnet: string, services: string): Promise<void> {
  await writeFile(
    join(stack.dir, 'compose.dns.yaml'),
    `# DNS-01 e2e: a fixed subnet on the internal network, and Pebble asking the test's DNS server.
networks:
  default:
    ipam:
      config:
        - subnet: ${subnet}.0/24
services:
${services}`,
  );
  stack.composeFiles.push('compose.dns.yaml');
}
