import * as z from 'zod';
import type { ReadSetting } from './read-setting.js';
import { bindSchema, portSchema } from './setting-schemas.js';

// Settings certkit's code never uses but the compose files or nginx's entrypoint do. Checked with the rest, so that
// certkit-init refuses them before compose recreates a container with them (or nginx's entrypoint fails on start).

const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REGISTRY =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d{1,5})?/';
/** Docker's reference grammar: [registry[:port]/]name[/name...][:tag][@algorithm:digest]. */
const IMAGE = new RegExp(
  `^(?:${REGISTRY})?${NAME}(?:/${NAME})*(?::\\w[\\w.-]{0,127})?(?:@[a-z][a-z0-9]*(?:[-_+.][a-z][a-z0-9]*)*:[0-9a-f]{32,})?$`,
);

const imageSchema = z
  .string()
  .regex(
    IMAGE,
    'is not an image reference like nginx:1.28.0-alpine or registry.example.org:5000/team/certbot:v5.1.0 (lowercase name, optional :tag and @sha256:digest)',
  );

/** A volume source of the compose files: the named volume they declare for it, or a host path (Compose's syntax). */
function volumeSourceSchema(volume: string) {
  return z
    .string()
    .refine(
      (raw) => raw === volume || /^(\/|\.\/|\.\.\/|~\/)[^:\n\r\0,]*$/.test(raw),
      `is neither the named volume ${volume} nor a host path: write a path starting with /, ./ or ../ (no ":"), or leave it empty for the volume`,
    );
}

/** Compose's healthcheck durations as both Compose v1 and v2 read them (h, m, s, ms in that order), at least 1s. */
const healthcheckIntervalSchema = z
  .string()
  .regex(/^(?=\d)(\d+h)?(\d+m(?!s))?(\d+s)?(\d+ms)?$/, 'is not a Compose duration like 30s, 1m or 1m30s')
  .refine(
    (raw) => !/^(0+(h|m|s|ms))+$/.test(raw) && !/^\d+ms$/.test(raw),
    'is under a second; Docker would run the health checks all the time (use 30s)',
  );

export function readComposeSettings(read: ReadSetting): void {
  for (const key of ['NGINX_IMAGE', 'CERTKIT_IMAGE', 'CERTKIT_PROXY_IMAGE', 'PEBBLE_IMAGE', 'PEBBLE_CHALLTESTSRV_IMAGE'])
    read(key, '', z.union([z.literal(''), imageSchema]));
  read(
    'CERTKIT_NGINX_TLS',
    '',
    z.enum(['', 'cached', 'handshake', 'reload'], {
      message:
        "is not a certificate loading mode: use cached, handshake or reload, or leave it empty to pick by nginx's version (docs/how-it-works.md)",
    }),
  );
  read(
    'CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT',
    '1s',
    z
      .string()
      .regex(
        /^(0|[1-9]\d{0,3}(ms|s))$/,
        "is not nginx's keepalive_min_timeout: a time like 1s or 500ms (up to 9999), or 0 to leave it out",
      ),
  );
  read('CERTKIT_HEALTHCHECK_INTERVAL', '30s', healthcheckIntervalSchema);
  read('CERTKIT_DEPLOY_DIR', 'certkit-deploy', volumeSourceSchema('certkit-deploy'));
  read('CERTKIT_LETSENCRYPT_DIR', 'certbot-conf', volumeSourceSchema('certbot-conf'));
  read('CERTBOT_PLUGINS_DIR', 'certbot-plugins', volumeSourceSchema('certbot-plugins'));
  read(
    'CERTKIT_DOCKER_SOCKET',
    '/var/run/docker.sock',
    z.string().regex(/^\/[^:\n\r\0,]*$/, "is not the absolute path of the Docker engine's socket on the host, e.g. /var/run/docker.sock"),
  );
  read('CERTKIT_METRICS_BIND', '127.0.0.1', bindSchema);
  read('CERTKIT_METRICS_HOST_PORT', '9464', portSchema);
  read(
    'CERTKIT_SITES_NETWORK',
    'certkit-sites',
    z
      .string()
      .regex(
        /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/,
        "is not a Docker network name (letters, digits, '_', '.', '-', starting with a letter or digit), e.g. certkit-sites",
      ),
  );
}

/** The image CERTBOT_IMAGE names (empty: the compose file's default), checked as the other image names. */
export const certbotImageSchema = z.union([z.literal(''), imageSchema]);
