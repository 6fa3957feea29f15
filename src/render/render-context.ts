import type { Config } from '../config/config.js';
import { CONTAINER_PATHS, DEPLOY_HOOK, KEY_READER_GID, LOCK_PATH, OWN_NGINX_HTTPS_SWITCH, deployDirFor } from '../stack/layout.js';
import { standaloneCertonlyArgv } from '../certbot/certbot-argv.js';
import { CONFIG_STAMP_PATH, CONFIG_STAMP_PLACEHOLDER } from './config-stamp.js';
import { serverNamesHash } from './server-names-hash.js';

/**
 * The values templates may use, derived from the Config alone (no clock, no state), so that rendering the same
 * configuration twice gives byte-identical files.
 */
export function buildRenderContext(config: Config): Record<string, unknown> {
  const deployDir = deployDirFor(config.certName);
  return {
    certName: config.certName,
    domains: config.domains,
    paths: { ...CONTAINER_PATHS, deployHook: DEPLOY_HOOK, deployDir, lock: LOCK_PATH },
    certbot: {
      certonlyArgv: standaloneCertonlyArgv(config),
      // The plugins folder is on certbot's path only when the user trusts a plugin from it (CERTBOT_TRUSTED_PLUGINS).
      pythonPath: config.trustedPlugins.length > 0 ? CONTAINER_PATHS.plugins : '',
    },
    deploy: { ...config.deploy, keyReaderGid: KEY_READER_GID },
    // The value is filled in once the nginx files are rendered: it is their digest (see config-stamp.ts).
    configStamp: { path: CONFIG_STAMP_PATH, value: CONFIG_STAMP_PLACEHOLDER },
    nginx: {
      serverNames: config.nginx.serverNames.join(' '),
      redirectPort: config.nginx.httpsPort === 443 ? '' : `:${config.nginx.httpsPort}`,
      upstream: config.nginx.upstream ?? '',
      routes: config.nginx.routes,
      hasRootRoute: config.nginx.routes.some((route) => route.path === '/'),
      hstsMaxAge: config.nginx.hstsMaxAge,
      sslProtocols: config.nginx.sslProtocols.join(' '),
      clientMaxBodySize: config.nginx.clientMaxBodySize,
      // bundle.pem (key and full chain) is a regular file in every deploy mode, and holds both from one version.
      bundle: `${deployDir}/bundle.pem`,
      // The app's own nginx: the wildcard matches the switch only once certkit wrote it (see stack/layout.ts).
      httpsSwitchGlob: `${deployDir}/${OWN_NGINX_HTTPS_SWITCH.replace(/\.conf$/, '*.conf')}`,
      // nginx's default server for names of no site (render-sites.ts turns it off when there are other sites).
      isDefault: true,
      // For the .env site's names; render-project.ts sizes it for every site's, and the other sites' files have none.
      serverNamesHash: serverNamesHash(config.nginx.serverNames) as ReturnType<typeof serverNamesHash> | false,
      // Whether the HTTPS file has its own port-80 server (render-sites.ts shares one between the other sites).
      ownHttpServer: true,
      // Whether each app location sets the proxy settings itself (render-sites.ts sets them once for the other sites).
      ownProxySettings: true,
      // The link to the current immutable version, for a site that names it itself (the .env site's is written by
      // nginx/entrypoint.sh, which knows this nginx's version): empty here.
      tlsCurrent: '',
    },
  };
}
