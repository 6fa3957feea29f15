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

  // Last: it adds sites. The sweep checks the names of all its due sites in one preflight run; the site whose address
  // does not reach this nginx fails alone, with its own name, before the CA is asked, and the other is issued.
  it("a sweep's one preflight fails the site that does not reach nginx alone, named; the other site is issued", async () => {
    const elsewhere = await serviceAddress(stack, 'pebble');
    const near = `near-${stack.project.slice(2)}.test`;
    const sites = `far:\n  host: ${elsewhere}\n  upstream: http://127.0.0.1:9\n\nnear:\n  host: ${near}\n  upstream: http://127.0.0.1:9\n`;
    await writeFile(join(stack.dir, 'sites.yaml'), sites);
    const result = await stack.certkit(['update', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('preflight: checking the names of 2 due sites reach this nginx');
    const others = (
      JSON.parse(result.stdout) as { others: { site: string; result?: { action: string }; error?: { code: string; message: string } }[] }
    ).others;
    const far = others.find((other) => other.site === 'far');
    expect(far?.error?.code).toBe('PREFLIGHT_FAILED');
    expect(far?.error?.message).toContain(`  ${elsewhere}: `);
    expect(far?.error?.message).not.toContain(near);
    expect(others.find((other) => other.site === 'near')?.result?.action).toBe('issued');
    expect(await stack.listDir('certbot', '/etc/letsencrypt/live')).toEqual(expect.arrayContaining([near]));
    expect(await stack.listDir('certbot', '/etc/letsencrypt/live')).not.toContain('far');
    expect((await probeCertificate(stack.httpsPort, near)).names).toEqual([near]);
  });
});
