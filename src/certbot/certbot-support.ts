import type { Config } from '../config/config.js';
import { isIpAddress } from '../config/ip-address.js';
import { formatVersion, MIN_CERTBOT, versionAtLeast, type Version } from './certbot-version.js';

/** certbot releases certkit relies on for a feature (Debian: bookworm 2.1, trixie 4.0, sid 5.5). */
export const CERTBOT_SINCE = {
  /** --preferred-profile / --required-profile. */
  profile: [4, 0, 0],
  /** The profile saved in the renewal conf, and renewal decided with the CA's renewal window (ARI). */
  savedProfileAndAri: [4, 1, 0],
  /** --ip-address with the webroot authenticator (5.3 had it for standalone and manual only). */
  ipAddressWebroot: [5, 4, 0],
} as const satisfies Record<string, Version>;

/** The official image that has a given certbot release. */
export function certbotImageFor(version: Version): string {
  return `certbot/certbot:v${formatVersion(version)}`;
}

/**
 * What this configuration asks of certbot that the running image cannot do, one message per problem naming the
 * variable, the version needed and the image to use. Empty when the image can do everything.
 */
export function certbotSupportProblems(config: Config, version: Version): string[] {
  const running = `CERTBOT_IMAGE runs certbot ${formatVersion(version)}`;
  const need = (since: Version) => `needs certbot ${formatVersion(since)} or newer; ${running}. Use ${certbotImageFor(since)} or newer`;
  if (!versionAtLeast(version, MIN_CERTBOT[0], MIN_CERTBOT[1])) {
    return [
      `${running}; certkit needs ${formatVersion(MIN_CERTBOT)} or newer. Use a newer certbot image (default certbot/certbot:v5.1.0).`,
    ];
  }
  const problems: string[] = [];
  const address = config.domains.find(isIpAddress);
  if (address !== undefined && !atLeast(version, CERTBOT_SINCE.ipAddressWebroot)) {
    problems.push(
      `CERTBOT_DOMAIN: the IP address ${address} ${need(CERTBOT_SINCE.ipAddressWebroot)} (--ip-address with webroot validation).`,
    );
  } else if (config.profile !== undefined && !atLeast(version, CERTBOT_SINCE.profile)) {
    problems.push(`CERTBOT_PROFILE: "${config.profile}" ${need(CERTBOT_SINCE.profile)} (ACME profiles).`);
  }
  return problems;
}

export function atLeast(version: Version, since: Version): boolean {
  return versionAtLeast(version, since[0], since[1]);
}
