import { ACME_SERVERS } from '../config/acme-servers.js';
import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertbotContainer } from './certbot-container.js';
import { livePathFor } from '../stack/layout.js';
import { parseRenewalWindow, type RenewalWindow, type WindowAnswer } from './renewal-window.js';

// Runs in the certbot container: it reaches the CA, and every certbot image has Python and `cryptography`.
// The certificate's ARI identifier is base64url(authority key id) "." base64url(serial as a DER integer's bytes).
const SCRIPT = `
import base64, json, ssl, sys, urllib.request
from cryptography import x509
pem_path, directory_url, verify = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
ctx = ssl.create_default_context()
if not verify:
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
def get(url):
    with urllib.request.urlopen(url, context=ctx, timeout=15) as r:
        return json.loads(r.read())
base = get(directory_url).get("renewalInfo")
if not base:
    print(json.dumps({"supported": False}))
    sys.exit(0)
cert = x509.load_pem_x509_certificate(open(pem_path, "rb").read())
aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
n = cert.serial_number
b64 = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
info = get(base.rstrip("/") + "/" + b64(aki) + "." + b64(n.to_bytes(n.bit_length() // 8 + 1, "big")))
print(json.dumps({"supported": True, "window": info.get("suggestedWindow"), "explanationURL": info.get("explanationURL")}))
`;

/**
 * Asks the certificate's CA for its renewal window (ARI). Never fails the run: a CA without ARI, or an error on the
 * way, leaves renewal to certbot's own threshold (as certbot itself does), with a warning for an error.
 */
export async function readRenewalWindow(
  certbot: CertbotContainer,
  certName: string,
  directoryUrl: string,
  log: Logger,
): Promise<RenewalWindow | undefined> {
  try {
    const verify = directoryUrl === ACME_SERVERS.pebble ? '0' : '1';
    const answer = JSON.parse(await certbot.python(SCRIPT, [livePathFor(certName, 'cert.pem'), directoryUrl, verify])) as WindowAnswer;
    return parseRenewalWindow(answer);
  } catch (error) {
    const detail = isCertkitError(error) ? error.message.split('\n').slice(-1)[0] : (error as Error).message;
    log.warn(`could not read the CA's renewal window (ARI) for ${certName}; renewal follows certbot's own threshold (${detail})`);
    return undefined;
  }
}
