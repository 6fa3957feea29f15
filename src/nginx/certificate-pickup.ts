/**
 * How nginx loads the certificate, as nginx/entrypoint.sh chose for its version (the first line of the
 * tls-certificate.conf it writes): `cached` and `handshake` read the deployed bundle at TLS handshakes, so a renewed
 * certificate reaches clients with no reload; `reload` means a fixed path, loaded by the master at a reload.
 */
export type CertificateLoading = 'cached' | 'handshake' | 'reload';

/** Reads the loading mode from tls-certificate.conf's first line; undefined when it is missing or unknown. */
export function parseCertificateLoading(conf: string): CertificateLoading | undefined {
  const mode = /^# Written by entrypoint\.sh .*: (cached|handshake|reload)$/m.exec(conf)?.[1];
  return mode as CertificateLoading | undefined;
}

/**
 * Whether nginx must be reloaded to serve `serial`, or only awaited: a reload closes idle keep-alive connections (their
 * clients see ECONNRESET), so it is kept for configuration changes, for the first switch from HTTP to HTTPS (some name
 * shows no certificate) and for an nginx that cannot load a certificate at handshake time.
 */
export function decideCertificatePickup(input: {
  /** The serial each name shows now (undefined: no HTTPS answer). */
  served: readonly (string | undefined)[];
  serial: string;
  configChanged: boolean;
  loading: CertificateLoading | undefined;
}): 'none' | 'await' | 'reload' {
  if (input.configChanged) return 'reload';
  if (input.served.every((serial) => serial === input.serial)) return 'none';
  if (input.served.some((serial) => serial === undefined)) return 'reload';
  return input.loading === 'cached' || input.loading === 'handshake' ? 'await' : 'reload';
}
