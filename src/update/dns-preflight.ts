import type { CertbotContainer } from '../certbot/certbot-container.js';
import { authenticatorFor, officialDnsImage, OFFICIAL_DNS_PLUGINS, ROUTE53_VARIABLES, type DnsChallenge } from '../config/dns-challenge.js';
import { closestName } from '../config/closest-name.js';
import { CertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';

// Reports what the certbot container holds at the credentials path and which variables are set: never a value.
const SCRIPT = `
import json, os, stat, sys
path, names = sys.argv[1], json.loads(sys.argv[2])
facts = {"env": {name: bool(os.environ.get(name)) for name in names}}
try:
    info = os.stat(path)
    facts["file"] = {"regular": stat.S_ISREG(info.st_mode), "dir": stat.S_ISDIR(info.st_mode), "mode": info.st_mode & 0o777, "size": info.st_size}
except OSError as error:
    facts["file"] = {"missing": str(error)}
print(json.dumps(facts))
`;

/**
 * How the user gives the certbot container a changed image, variable or credentials mount: the fixes the DNS
 * preflight names differ between Compose and a Swarm stack, the checks do not.
 */
export interface CertbotFixes {
  /** The command that recreates certbot with the settings of now. */
  recreate: string;
  /** What makes the credentials file appear in certbot at CONTAINER_PATHS.dnsCredentials. */
  mountCredentials: string;
  /** What changes the mode certbot sees. */
  chmod: (hostPath: string) => string;
  /** How route53's variables reach certbot. */
  awsVariables: string;
}

export const COMPOSE_CERTBOT_FIXES: CertbotFixes = {
  recreate: 'docker compose --profile certbot up -d certbot',
  mountCredentials: 'it was created before the setting; recreate it: docker compose --profile certbot up -d certbot',
  chmod: (hostPath) => `on the host run: chmod 600 ${hostPath}`,
  awsVariables: 'set them in .env, then recreate certbot: docker compose --profile certbot up -d certbot',
};

interface DnsFacts {
  env: Record<string, boolean>;
  file: { regular: boolean; dir: boolean; mode: number; size: number } | { missing: string };
}

/**
 * What can be checked before asking the CA over DNS-01, in the certbot container that will run: the plugin is in the
 * image, and its credentials are there and private (a file) or set (route53's variables). Nothing reaches the DNS
 * provider here; a wrong token still fails at certbot's first API call, before the CA is asked to validate.
 */
export async function runDnsPreflight(
  certbot: CertbotContainer,
  challenge: DnsChallenge,
  trustedPlugins: readonly string[],
  fixes: CertbotFixes = COMPOSE_CERTBOT_FIXES,
): Promise<void> {
  const problems = dnsCredentialProblems(challenge, await readDnsFacts(certbot), fixes);
  const authenticator = authenticatorFor(challenge);
  const [plugins, folder] = await Promise.all([certbot.plugins(), certbot.folderPlugins()]);
  const inFolder = folder.find((plugin) => plugin.name === authenticator);
  if (inFolder && !trustedPlugins.includes(authenticator)) {
    problems.push(
      `CERTBOT_TRUSTED_PLUGINS: the plugins folder (CERTBOT_PLUGINS_DIR) holds ${authenticator} (${inFolder.distribution} ${inFolder.version}), but certkit lets certbot load a plugin from there only when you trust it: its code runs as root in the certbot container. If you trust its author, set CERTBOT_TRUSTED_PLUGINS=${[...trustedPlugins, authenticator].join(',')}`,
    );
  } else if (inFolder && !plugins.some((plugin) => plugin.name === authenticator)) {
    problems.push(
      `CERTBOT_PLUGINS_DIR: ${authenticator} (${inFolder.distribution} ${inFolder.version}) is in the plugins folder and trusted, but certbot could not load it; install it for the image's Python, inside the container: docker compose exec certbot pip install --target ${CONTAINER_PATHS.plugins} ${inFolder.distribution}`,
    );
  } else if (!plugins.some((plugin) => plugin.name === authenticator)) {
    const official = officialDnsImage(challenge.plugin);
    const have = plugins.filter((plugin) => plugin.kinds.includes('authenticator')).map((plugin) => plugin.name);
    problems.push(
      `CERTBOT_IMAGE: the certbot image has no ${authenticator} plugin (its authenticators: ${have.join(', ') || 'none'}); ` +
        (official
          ? `set CERTBOT_IMAGE=${official}, the official image that carries it, then recreate certbot: ${fixes.recreate}`
          : `use an image that carries the ${authenticator} plugin (CERTBOT_DNS_PLUGIN names a plugin no official image has), then recreate certbot${officialGuess(challenge.plugin)}`),
    );
  }
  if (problems.length > 0) {
    throw new CertkitError('CONFIG_INVALID', `The DNS-01 settings cannot work in the certbot container:\n  ${problems.join('\n  ')}`, {
      details: problems,
    });
  }
}

/** A trusted plugin name close to an official one may still be a typo: name the official one too. */
function officialGuess(plugin: string): string {
  const guess = closestName(plugin, Object.keys(OFFICIAL_DNS_PLUGINS));
  return guess
    ? `; or, if you meant the official ${guess} plugin, set CERTBOT_DNS_PLUGIN=${guess} and CERTBOT_IMAGE=${officialDnsImage(guess)}`
    : '';
}

async function readDnsFacts(certbot: CertbotContainer): Promise<DnsFacts> {
  return JSON.parse(await certbot.python(SCRIPT, [CONTAINER_PATHS.dnsCredentials, JSON.stringify(ROUTE53_VARIABLES)])) as DnsFacts;
}

/** Why the credentials as the certbot container sees them cannot work (pure, for the facts read above). */
export function dnsCredentialProblems(challenge: DnsChallenge, facts: DnsFacts, fixes: CertbotFixes = COMPOSE_CERTBOT_FIXES): string[] {
  if (OFFICIAL_DNS_PLUGINS[challenge.plugin] === 'aws') {
    const unset = ROUTE53_VARIABLES.filter((name) => !facts.env[name]);
    return unset.length === 0
      ? []
      : [
          `${unset.join(' and ')}: not set in the certbot container, and the ${challenge.plugin} plugin reads its credentials from them; ${fixes.awsVariables}`,
        ];
  }
  if (challenge.credentials === undefined) return [];
  const host = challenge.credentials;
  const file = facts.file;
  if ('missing' in file || (!file.regular && !file.dir)) {
    return [`CERTBOT_DNS_CREDENTIALS: "${host}" is not mounted in the certbot container (${fixes.mountCredentials})`];
  }
  if (file.dir) {
    return [
      `CERTBOT_DNS_CREDENTIALS: "${host}" is a folder in the certbot container: Docker made one because the file did not exist on the host; remove that folder, write the credentials file there (chmod 600), and recreate certbot`,
    ];
  }
  if ((file.mode & 0o077) !== 0) {
    return [
      `CERTBOT_DNS_CREDENTIALS: "${host}" has mode ${file.mode.toString(8).padStart(4, '0')}, readable beyond its owner; ${fixes.chmod(host)}`,
    ];
  }
  if (file.size === 0) return [`CERTBOT_DNS_CREDENTIALS: "${host}" is empty in the certbot container; put the plugin's credentials in it`];
  return [];
}
