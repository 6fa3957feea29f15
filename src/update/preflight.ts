import { randomBytes } from 'node:crypto';
import type { CertbotContainer } from '../certbot/certbot-container.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { CertkitError } from '../errors.js';
import {
  preflightChunks,
  preflightFailures,
  preflightTargets,
  type PreflightAnswer,
  type PreflightSite,
  type PreflightTarget,
} from './preflight-batch.js';

// argv: the challenge file's path, the token, then one argument per name: "NAME URL HOST" (HOST empty when the URL's
// own). Plain words, not JSON: a quote costs the socket proxy's body match an escape (EXEC_BODY_ESCAPES).
// The requests run 16 at a time, each 10 s at most.
export const PREFLIGHT_SCRIPT = `
import json, os, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
path, token = sys.argv[1], sys.argv[2]
targets = [arg.split(" ") for arg in sys.argv[3:]]
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    f.write(token)

def check(target):
    name, url, host = target
    headers = {"Host": host} if host else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            body = r.read(200).decode("utf-8", "replace")
            return {"name": name, "ok": body == token, "detail": "HTTP %d, unexpected body %r" % (r.status, body[:60])}
    except Exception as e:
        return {"name": name, "ok": False, "detail": str(e)}

try:
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(check, targets))
finally:
    os.remove(path)
print(json.dumps(results))
`;

/** The arguments of one preflight run (after the script): where the token goes, the token, a word triple per name. */
export function preflightArgs(path: string, token: string, targets: readonly PreflightTarget[]): string[] {
  return [path, token, ...targets.map((target) => `${target.name} ${target.url} ${target.host ?? ''}`)];
}

/**
 * Proves each name reaches this stack's nginx before the CA is asked, as the CA will check: a random token is put in
 * the shared webroot and fetched over http://NAME/.well-known/acme-challenge/. A failure here costs nothing; a failed
 * validation at the CA counts against its limit of 5 per name per hour.
 * With `viaAddress` (the local test CA, whose DNS points every name at nginx) the request goes to that address with
 * the name as Host header.
 */
export async function runPreflight(certbot: CertbotContainer, names: readonly string[], viaAddress?: string): Promise<void> {
  const failed = (await preflightSites(certbot, [{ id: '', names }], viaAddress)).get('');
  if (failed) throw preflightError(failed);
}

/**
 * The preflight of many sites at once (a sweep's due sites): one run in the certbot container per PREFLIGHT_CHUNK
 * names, instead of one per site. Each site's failed names, by site id; a site absent passed. A run that fails
 * (the container stopped) rejects: the caller then checks each site alone.
 */
export async function preflightSites(
  certbot: CertbotContainer,
  sites: readonly PreflightSite[],
  viaAddress: string | undefined,
): Promise<Map<string, PreflightAnswer[]>> {
  const answers = new Map<string, PreflightAnswer>();
  for (const names of preflightChunks(sites)) {
    const token = randomBytes(16).toString('hex');
    const file = `certkit-preflight-${token.slice(0, 12)}`;
    const path = `${CONTAINER_PATHS.webroot}/.well-known/acme-challenge/${file}`;
    const printed = await certbot.python(PREFLIGHT_SCRIPT, preflightArgs(path, token, preflightTargets(names, file, viaAddress)));
    for (const answer of JSON.parse(printed) as PreflightAnswer[]) answers.set(answer.name, answer);
  }
  return preflightFailures(sites, answers, () => 'the preflight printed no answer for this name');
}

/** The error a site's failed names make: each name with what its request got, and what to do. */
export function preflightError(failed: readonly PreflightAnswer[]): CertkitError {
  return new CertkitError(
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
export function preflightFix(failed: readonly Pick<PreflightAnswer, 'detail'>[]): string {
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
