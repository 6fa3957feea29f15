import { z } from 'zod';
import type { DeployedSerials } from './deployed-copies.js';

/**
 * What a sweep reads of the certbot container, printed by one Python run in it (SWEEP_FACTS_SCRIPT): each lineage's
 * live certificate and renewal conf as text, the serial of each deployed copy, and the CA's renewal windows kept from
 * earlier sweeps. This is what the "due or not" decision and the deployed-copy check need, and nothing else: archive/,
 * keys/ and the private keys stay in the container (a deployed bundle holds its key; the script reads it there and
 * prints only its certificate's serial). An archive of /etc/letsencrypt and of the deploy folder carried about 24 MB
 * for a thousand certificates; this carries about 2 MB.
 */
export interface SweepFacts {
  /** live/NAME/cert.pem (followed as `cat` would; undefined when it cannot be read) and renewal/NAME.conf. */
  lineages: ReadonlyMap<string, { cert: string | undefined; conf: string | undefined }>;
  /** As deployedSerials reads the deploy folder; undefined when the container has no deploy folder. */
  deployed: DeployedSerials | undefined;
  /** The ARI cache file's text, undefined when there is none. */
  ariCache: string | undefined;
}

/**
 * argv: the store, the deploy folder, the ARI cache file, then optionally certificate names: only those lineages and
 * deployed copies are read then (a sweep reads back the sites certbot just issued, in one run). The serial is read
 * from the first CERTIFICATE block of bundle.pem (cert.pem for a folder deployed before there was a bundle; a cert.pem
 * that is a symlink into the store counts as unreadable there, as in deployedSerials), as lowercase hex without
 * leading zeros (normalizeSerial).
 * No backslash in it: each costs the socket proxy's body match (EXEC_BODY_ESCAPES) once it is JSON.
 */
export const SWEEP_FACTS_SCRIPT = `
import base64, json, os, sys
store, deploy, cache = sys.argv[1:4]
only = set(sys.argv[4:]) if len(sys.argv) > 4 else None

def text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None

def header(der, at):
    tag, size, at = der[at], der[at + 1], at + 2
    if size & 128:
        count = size & 127
        size, at = int.from_bytes(der[at:at + count], "big"), at + count
    return tag, size, at

def serial(pem):
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    start = pem.index(begin) + len(begin)
    der = base64.b64decode("".join(pem[start:pem.index(end, start)].split()))
    at = header(der, header(der, 0)[2])[2]
    tag, size, body = header(der, at)
    if tag == 160:
        tag, size, body = header(der, body + size)
    if tag != 2:
        raise ValueError("no serial")
    return der[body:body + size].hex().lstrip("0") or "0"

live, deployed = {}, None
folder = os.path.join(store, "live")
for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
    if only is not None and name not in only:
        continue
    cert = os.path.join(folder, name, "cert.pem")
    if os.path.lexists(cert):
        live[name] = {"cert": text(cert), "conf": text(os.path.join(store, "renewal", name + ".conf"))}
if os.path.isdir(deploy):
    deployed = {}
    for name in sorted(os.listdir(deploy)):
        if only is not None and name not in only:
            continue
        path = os.path.join(deploy, name, "bundle.pem")
        if not os.path.lexists(path):
            path = os.path.join(deploy, name, "cert.pem")
        if not os.path.lexists(path):
            continue
        try:
            deployed[name] = None if os.path.islink(path) else serial(text(path))
        except Exception:
            deployed[name] = None
print(json.dumps({"live": live, "deployed": deployed, "ariCache": text(cache)}))
`;

const text = z.string().nullable();
const printed = z.object({
  live: z.record(z.string(), z.object({ cert: text, conf: text })),
  deployed: z.record(z.string(), text).nullable(),
  ariCache: text,
});

/** The script's output → SweepFacts; throws when it is not what the script prints. */
export function parseSweepFacts(stdout: string): SweepFacts {
  const facts = printed.parse(JSON.parse(stdout));
  const orUndefined = (value: string | null) => value ?? undefined;
  return {
    lineages: new Map(
      Object.entries(facts.live).map(([name, files]) => [name, { cert: orUndefined(files.cert), conf: orUndefined(files.conf) }]),
    ),
    deployed:
      facts.deployed === null ? undefined : new Map(Object.entries(facts.deployed).map(([name, serial]) => [name, orUndefined(serial)])),
    ariCache: orUndefined(facts.ariCache),
  };
}
