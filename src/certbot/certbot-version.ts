export type Version = readonly [number, number, number];

/** Reads `certbot 2.1.0` (or `certbot 5.1.0.dev0`) as [2, 1, 0]; undefined when it is not a version line. */
export function parseCertbotVersion(output: string): Version | undefined {
  const match = /certbot\s+(\d+)\.(\d+)(?:\.(\d+))?/i.exec(output);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function versionAtLeast(version: Version, major: number, minor = 0): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

export function formatVersion(version: Version): string {
  return version.join('.');
}

/** The oldest certbot certkit drives: --cert-name with --expand and deploy hooks as used here (Debian bookworm ships 2.1). */
export const MIN_CERTBOT: Version = [2, 0, 0];
