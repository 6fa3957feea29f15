import { randomBytes } from 'node:crypto';
import type { CertbotContainer } from '../certbot/certbot-container.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { hostForUrl, isIpAddress } from '../config/ip-address.js';
import { CertkitError } from '../errors.js';

const SCRIPT = `
import json, os, sys, urllib.request
path, token, targets = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    f.write(token)
results = []
try:
    for t in targets:
        headers = {"Host": t["host"]} if t.get("host") else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(t["url"], headers=headers), timeout=10) as r:
                body = r.read(200).decode("utf-8", "replace")
                results.append({"name": t["name"], "ok": body == token, "detail": "HTTP %d, unexpected body %r" % (r.status, body[:60])})
        except Exception as e:
            results.append({"name": t["name"], "ok": False, "detail": str(e)})
finally:
    os.remove(path)
print(json.dumps(results))
`;

interface PreflightResult {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Proves each name reaches this stack's nginx before the CA is asked, as the CA will check: a random token is put in
 * the shared webroot and fetched over http://NAME/.well-known/acme-challenge/. A failure here costs nothing; a failed
 * validation at the CA counts against its limit of 5 per name per hour.
 * With `viaAddress` (the local test CA, whose DNS points every name at nginx) the request goes to that address with
 * the name as Host header.
 */
export async function runPreflight(certbot: CertbotContainer, names: readonly string[], viaAddress?: string): Promise<void> {
  const token = randomBytes(16).toString('hex');
  const file = `certkit-preflight-${token.slice(0, 12)}`;
  const path = `${CONTAINER_PATHS.webroot}/.well-known/acme-challenge/${file}`;
  // An IP address is validated at that address, never through DNS: it must reach this nginx itself.
  const targets = names.map((name) => {
    const via = isIpAddress(name) ? undefined : viaAddress;
    return { name, url: `http://${hostForUrl(via ?? name)}/.well-known/acme-challenge/${file}`, host: via ? name : undefined };
  });
  const results = JSON.parse(await certbot.python(SCRIPT, [path, token, JSON.stringify(targets)])) as PreflightResult[];
  const failed = results.filter((result) => !result.ok);
  if (failed.length === 0) return;
  throw new CertkitError(
    'PREFLIGHT_FAILED',
    `These names do not reach this server's nginx over HTTP, so the CA could not validate them either:\n` +
      failed.map((result) => `  ${result.name}: ${result.detail}`).join('\n') +
      `\n${preflightFix(failed)}`,
    { details: failed.map((result) => `${result.name}: ${result.detail}`) },
  );
}

/**
 * What to do about failed names. When a web server answered every one (an HTTP status, not a connection error), the
 * names do reach a server: the one on port 80 just does not serve the challenge path from certkit's webroot, which
 * with an app's own nginx means the include line is missing.
 */
export function preflightFix(failed: readonly Pick<PreflightResult, 'detail'>[]): string {
  if (failed.length > 0 && failed.every((result) => /^HTTP (Error )?\d{3}\b/.test(result.detail))) {
    return (
      `A web server answered, but not with the file certkit put in its webroot: the nginx on port 80 does not serve /.well-known/acme-challenge/ from it.` +
      ` With your app's own nginx (CERTKIT_NGINX_MODE=own), add \`include /etc/certkit/nginx/certkit-acme.conf;\` (and \`include /etc/certkit/nginx/certkit-tls.conf;\`)` +
      ` inside its port-80 server block, keep the mounts compose.own-nginx.yaml adds, and recreate it; otherwise make sure each name's DNS points at this server and port 80 reaches this stack's nginx, not another web server.`
    );
  }
  return (
    `Point each name's DNS (A/AAAA) at this server (an IP address must be one of this server's own) and open port 80 to the internet. If the server cannot reach itself` +
    ` through its public address (no hairpin NAT) but the CA can, set CERTKIT_PREFLIGHT=false.`
  );
}
