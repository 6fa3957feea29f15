import { ACME_SERVERS } from '../config/acme-servers.js';
import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertbotContainer } from './certbot-container.js';
import { livePathFor } from '../stack/layout.js';
import { parseRetryAfter, type AriFetch } from './ari-cache.js';
import { parseRenewalWindow, type WindowAnswer } from './renewal-window.js';

// Runs in the certbot container: it reaches the CA, and every certbot image has Python and `cryptography`. One run
// asks for every certificate given (a JSON list on argv), each CA's directory read once.
// The certificate's ARI identifier is base64url(authority key id) "." base64url(serial as a DER integer's bytes).
const SCRIPT = `
import base64, json, ssl, sys, urllib.request
from cryptography import x509
def context(verify):
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
def get(url, ctx):
    with urllib.request.urlopen(url, context=ctx, timeout=15) as r:
        return json.loads(r.read()), r.headers.get("Retry-After")
b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
bases, out = {}, {}
for item in json.loads(sys.argv[1]):
    try:
        ctx = context(item["verify"])
        url = item["directory"]
        if url not in bases:
            bases[url] = get(url, ctx)[0].get("renewalInfo")
        if not bases[url]:
            out[item["name"]] = {"supported": False}
            continue
        cert = x509.load_pem_x509_certificate(open(item["pem"], "rb").read())
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        n = cert.serial_number
        info, retry = get(bases[url].rstrip("/") + "/" + b64(aki) + "." + b64(n.to_bytes(n.bit_length() // 8 + 1, "big")), ctx)
        out[item["name"]] = {"supported": True, "window": info.get("suggestedWindow"), "explanationURL": info.get("explanationURL"), "retryAfter": retry}
    except Exception as error:
        out[item["name"]] = {"error": "%s: %s" % (type(error).__name__, error)}
print(json.dumps(out))
`;

type BatchAnswer = (WindowAnswer & { retryAfter?: string | null }) | { error: string };

/**
 * Asks the certificates' CAs for their renewal windows (ARI), in one run in the certbot container. Never fails the
 * sweep: a CA without ARI, or an error on the way, leaves that certificate's renewal to certbot's own threshold (as
 * certbot itself does), with a warning for an error.
 */
export async function readRenewalWindows(
  certbot: Pick<CertbotContainer, 'python'>,
  requests: readonly { certName: string; directoryUrl: string }[],
  log: Logger,
  now: () => Date,
): Promise<Map<string, AriFetch>> {
  const fetched = new Map<string, AriFetch>();
  if (requests.length === 0) return fetched;
  const items = requests.map((request) => ({
    name: request.certName,
    pem: livePathFor(request.certName, 'cert.pem'),
    directory: request.directoryUrl,
    verify: request.directoryUrl !== ACME_SERVERS.pebble,
  }));
  let answers: Record<string, BatchAnswer>;
  try {
    answers = JSON.parse(await certbot.python(SCRIPT, [JSON.stringify(items)])) as Record<string, BatchAnswer>;
  } catch (error) {
    const detail = isCertkitError(error) ? error.message.split('\n').slice(-1)[0] : (error as Error).message;
    answers = Object.fromEntries(items.map((item) => [item.name, { error: detail ?? 'unknown error' }]));
  }
  for (const { certName } of requests) {
    const answer = answers[certName] ?? { error: 'no answer' };
    if ('error' in answer) {
      log.warn(`could not read the CA's renewal window (ARI) for ${certName}; renewal follows certbot's own threshold (${answer.error})`);
      fetched.set(certName, { window: undefined, retryAfterSeconds: undefined, error: answer.error });
      continue;
    }
    const retryAfter = 'retryAfter' in answer ? answer.retryAfter : undefined;
    fetched.set(certName, { window: parseRenewalWindow(answer), retryAfterSeconds: parseRetryAfter(retryAfter, now()) });
  }
  return fetched;
}
