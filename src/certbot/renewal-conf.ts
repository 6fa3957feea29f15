/** What certkit reads from certbot's `renewal/NAME.conf`: how the certificate was made and will be renewed. */
export interface RenewalConf {
  version: string | undefined;
  server: string | undefined;
  authenticator: string | undefined;
  keyType: string | undefined;
  ellipticCurve: string | undefined;
  rsaKeySize: string | undefined;
  deployHook: string | undefined;
  /** Top-level paths (cert, privkey, chain, fullchain, archive_dir). */
  paths: Record<string, string>;
}

/** Parses the INI-like file certbot writes (configobj): `key = value` lines, `[section]` headers, `#` comments. */
export function parseRenewalConf(text: string): RenewalConf {
  const top: Record<string, string> = {};
  const params: Record<string, string> = {};
  let section = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[+([^\]]+)\]+$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!pair) continue;
    const [, key = '', value = ''] = pair;
    if (section === '') top[key] = value;
    else if (section === 'renewalparams') params[key] = value;
  }
  const pick = (...keys: string[]): Record<string, string> =>
    Object.fromEntries(keys.filter((key) => top[key] !== undefined).map((key) => [key, top[key] as string]));
  return {
    version: top['version'],
    server: params['server'],
    authenticator: params['authenticator'],
    keyType: params['key_type'],
    ellipticCurve: params['elliptic_curve'],
    rsaKeySize: params['rsa_key_size'],
    deployHook: params['renew_hook'] ?? params['deploy_hook'],
    paths: pick('cert', 'privkey', 'chain', 'fullchain', 'archive_dir'),
  };
}
