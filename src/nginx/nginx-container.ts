import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { NGINX_ENTRYPOINT, NGINX_TLS_CERTIFICATE_CONF } from '../stack/layout.js';
import { parseCertificateLoading, type CertificateLoading } from './certificate-pickup.js';

export type SiteMode = 'https' | 'http' | 'auto';

/** Operations on the nginx container: pick the site file, check the configuration, reload without dropping requests. */
export class NginxContainer {
  constructor(
    private readonly engine: Engine,
    readonly container: ServiceContainer,
  ) {}

  /** Links site-MODE.conf and runs `nginx -t`; on failure the previous site stays linked. Returns the mode chosen. */
  async selectSite(mode: SiteMode): Promise<'https' | 'http'> {
    return (await this.selectWithSites(mode)).chosen;
  }

  /**
   * selectSite, which links the other sites too (as linkSites) before its one `nginx -t` over everything: on failure
   * the previous site and links stay. Returns the mode chosen and the other sites whose link changed.
   */
  async selectWithSites(mode: SiteMode): Promise<{ chosen: 'https' | 'http'; relinked: string[] }> {
    const result = await this.engine.exec(this.container.name, ['/bin/sh', NGINX_ENTRYPOINT, 'select', mode]);
    const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
    const chosen = lines.pop();
    if (result.exitCode !== 0 || (chosen !== 'https' && chosen !== 'http')) {
      throw new CertkitError(
        'NGINX_CONFIG_INVALID',
        `nginx refused the ${mode} configuration; it keeps serving the previous one.\n${(result.stderr || result.stdout).trim()}`,
      );
    }
    return { chosen, relinked: lines };
  }

  /**
   * Links each of the other sites to its HTTPS file once its certificate is deployed (else its HTTP file) and, when a
   * link changed, runs `nginx -t`; on failure the links before stay. Returns the sites whose link changed (a reload
   * makes them served; the reload runs `nginx -t` again on everything rendered).
   */
  async linkSites(): Promise<string[]> {
    const result = await this.engine.exec(this.container.name, ['/bin/sh', NGINX_ENTRYPOINT, 'sites']);
    if (result.exitCode !== 0) {
      throw new CertkitError(
        'NGINX_CONFIG_INVALID',
        `nginx refused the sites' configuration; it keeps serving the previous one.\n${(result.stderr || result.stdout).trim()}`,
      );
    }
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /** How this nginx loads the certificate (its entrypoint chose by version); undefined when it cannot be told. */
  async certificateLoading(): Promise<CertificateLoading | undefined> {
    const result = await this.engine.exec(this.container.name, ['cat', NGINX_TLS_CERTIFICATE_CONF]);
    return result.exitCode === 0 ? parseCertificateLoading(result.stdout) : undefined;
  }

  /** SIGHUP to nginx's master: new workers take the new configuration, old ones finish their requests. */
  async reload(): Promise<void> {
    try {
      await this.engine.signal(this.container.name, 'SIGHUP');
    } catch (error) {
      throw new CertkitError(
        'NGINX_NOT_SERVING',
        `could not signal nginx to reload (${(error as Error).message}); is the nginx container running?`,
        { cause: error },
      );
    }
  }
}
