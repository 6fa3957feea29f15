import { parseRenewalConf as parseFlatRenewalConf } from '../store/renewal-conf.js';

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
  /** Every key of [renewalparams] (not nested sections): what `certbot renew` reuses. */
  paramKeys?: string[];
}

/** Reads the fields certkit plans with from certbot's configobj file (parsed by the store's one parser). */
export function parseRenewalConf(text: string): RenewalConf {
  const flat = parseFlatRenewalConf(text);
  const param = (key: string): string | undefined => flat.get(`renewalparams.${key}`);
  const paths: Record<string, string> = {};
  for (const key of ['cert', 'privkey', 'chain', 'fullchain', 'archive_dir']) {
    const value = flat.get(key);
    if (value !== undefined) paths[key] = value;
  }
  return {
    version: flat.get('version'),
    server: param('server'),
    authenticator: param('authenticator'),
    keyType: param('key_type'),
    ellipticCurve: param('elliptic_curve'),
    rsaKeySize: param('rsa_key_size'),
    deployHook: param('renew_hook') ?? param('deploy_hook'),
    paths,
    paramKeys: [...flat.keys()].filter((key) => /^renewalparams\.[^.]+$/.test(key)).map((key) => key.slice('renewalparams.'.length)),
  };
}
