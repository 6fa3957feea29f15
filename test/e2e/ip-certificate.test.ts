import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { letsEncryptProfiles, serviceAddress, stackKind, upWithoutDaemon, writePebbleProfiles } from './support/acme-features.js';
import { fetchPebbleRoot } from './support/pebble.js';
import { chainsTo, probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';

const dockerMissing = inject('dockerMissing');

// Connects to ADDRESS:443 by address, verifying against Pebble's root with the address as the name to check; Python
// sends no SNI for an IP address, as browsers do not. Prints the names on the certificate.
const PROBE_BY_ADDRESS = `
import json, socket, ssl, sys
address, root = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cadata=root)
with socket.create_connection((address, 443), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname=address) as tls:
        print(json.dumps(tls.getpeercert().get("subjectAltName")))
`;

// An IP-address certificate: Pebble validates nginx's own address on the test network over HTTP-01, the certificate
// gets the shortlived profile by default, and nginx serves it to clients that connect by address (no SNI).
describe.skipIf(dockerMissing !== '' || stackKind() !== 'current')('IP-address certificate (current stack)', () => {
  let stack: TestStack;
  let address: string;

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1 });
    await writePebbleProfiles(stack, letsEncryptProfiles());
    await upWithoutDaemon(stack);
    address = await serviceAddress(stack, 'nginx');
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('preflight refuses an address that does not reach this nginx, before the CA is asked', async () => {
    const elsewhere = await serviceAddress(stack, 'pebble');
    await stack.writeEnv({ CERTBOT_DOMAIN: elsewhere });
    const result = await stack.certkit(['update']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("These names do not reach this server's nginx over HTTP");
    expect(result.stderr).toContain(`  ${elsewhere}: `);
    expect(await stack.listDir('certbot', '/etc/letsencrypt')).not.toContain('live');
  });

  it('issues for the address, after a preflight to the address itself, under the shortlived profile', async () => {
    await stack.writeEnv({ CERTBOT_DOMAIN: address });
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`preflight: checking ${address} reach this nginx`);
    expect((JSON.parse(result.stdout) as { action: string; domains: string[] }).domains).toEqual([address]);
    const status = JSON.parse((await stack.certkit(['status', '--json'])).stdout) as Array<{
      name: string;
      profile: string;
      domains: string[];
    }>;
    expect(status[0]).toMatchObject({ name: address, profile: 'shortlived', domains: [address] });
  });

  it('nginx serves it without SNI, to a client connecting by address, and it verifies against the CA', async () => {
    const root = await fetchPebbleRoot(stack);
    const byAddress = await stack.exec('certbot', ['python3', '-c', PROBE_BY_ADDRESS, address, root.toString()]);
    expect(byAddress.code, byAddress.stderr).toBe(0);
    expect(JSON.parse(byAddress.stdout)).toEqual([['IP Address', address]]);
    // From the host through the published port, with no SNI at all.
    const presented = await probeCertificate(stack.httpsPort, '');
    expect(presented.names).toEqual([address]);
    expect(chainsTo(presented, root)).toBe(true);
    expect(Math.round((presented.notAfter.getTime() - new Date(presented.leaf.validFrom).getTime()) / 3_600_000)).toBe(160);
  });

  // Last: it adds sites. A sweep checks the names of all its due sites in one preflight run in the certbot container,
  // and reads back what certbot wrote for all of them in one run. (With Pebble every DNS name reaches nginx, and an
  // address is the .env site's alone, so a site failing its preflight alone is shown by test/unit/update/site-batch.)
  it("a sweep's due sites: one preflight run for their names, each issued and served its own certificate", async () => {
    const id = stack.project.slice(2);
    const names = [`one-${id}.test`, `two-${id}.test`];
    const elsewhere = await serviceAddress(stack, 'pebble');
    const sites = [
      `far:\n  host: ${elsewhere}\n  upstream: http://127.0.0.1:9\n`,
      ...names.map((name, index) => `site${index}:\n  host: ${name}\n  upstream: http://127.0.0.1:9\n`),
    ];
    await writeFile(join(stack.dir, 'sites.yaml'), sites.join('\n'));
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('preflight: checking the names of 2 due sites reach this nginx');
    const parsed = JSON.parse(result.stdout) as { others: { site: string; result?: { action: string } }[]; refused: string[] };
    expect(parsed.others.map((other) => [other.site, other.result?.action])).toEqual([
      ['site0', 'issued'],
      ['site1', 'issued'],
    ]);
    // An address in the sites file is refused alone, with why.
    expect(parsed.refused).toEqual([expect.stringContaining(`${elsewhere}; an address is served by the .env site alone`)]);
    for (const name of names) expect((await probeCertificate(stack.httpsPort, name)).names).toEqual([name]);
  });
});
