// certkit's nginx folder for the benches: rendered into a temp folder from the kit's templates (the .env site and,
// through a sites file read by certkit's own reader, any number of other sites), with the kit's static nginx files
// and its own deploy hook pointed at a deploy folder there; self-signed certificates made with the openssl CLI.
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, REPO, run } from './nginx-bench.js';

const CONTAINER_DEPLOY = '/etc/certkit/deploy';

/** A new key and self-signed certificate for these names; returns the PEM texts and the serial. */
export async function makeCertificate(dir, names) {
  const [first] = names;
  const key = join(dir, `${first}.key.pem`);
  const cert = join(dir, `${first}.cert.pem`);
  const alt = names.map((name) => `DNS:${name}`).join(',');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '7',
    '-subj',
    `/CN=${first}`,
    '-addext',
    `subjectAltName=${alt}`,
  ]);
  const { stdout } = await run('openssl', ['x509', '-in', cert, '-noout', '-serial']);
  return {
    key: await readFile(key, 'utf8'),
    cert: await readFile(cert, 'utf8'),
    serial: stdout
      .trim()
      .replace(/^serial=/, '')
      .toLowerCase()
      .replace(/^0+/, ''),
  };
}

/**
 * certkit's nginx folder for the .env site `name`, rendered into `work` with the kit's templates, its static
 * nginx.conf and entrypoint.sh, an empty deploy folder, and the kit's deploy hook pointed at it. `sites` (see
 * renderSites) are rendered as other sites.
 */
export async function prepareKit(work, name, sites = []) {
  const kit = { work, name, hook: join(work, 'certbot', 'deploy-hook.sh') };
  await renderSites(kit, sites);
  for (const file of ['entrypoint.sh', 'nginx.conf']) await cp(join(REPO, 'nginx', file), join(work, 'nginx', file));
  const deployDir = join(work, 'deploy');
  await mkdir(deployDir);
  for (const dir of [work, deployDir]) await chmod(dir, 0o755);
  await writeFile(kit.hook, (await readFile(kit.hook, 'utf8')).replaceAll(CONTAINER_DEPLOY, deployDir));
  return kit;
}

/**
 * Renders the kit for these other sites ({ id, names, upstream? }[], each without upstream serving certkit's
 * placeholder page) as certkit does at
 * a run: they are declared in a sites file, read through certkit's own reader, and rendered beside the .env site;
 * a site no longer declared loses its files (no grace). Returns certkit's RenderChanges.
 */
export async function renderSites(kit, sites) {
  const { loadConfig, renderProject, readSites } = await loadCertkit();
  const config = loadConfig({ env: { CERTBOT_DOMAIN: kit.name, CERTBOT_SERVER: 'pebble' } });
  await writeFile(
    join(kit.work, config.sites.file),
    sites
      .map((site) => `${site.id}:\n  host: [${site.names.join(', ')}]\n${site.upstream ? `  upstream: ${site.upstream}\n` : ''}`)
      .join(''),
  );
  const read = await readSites({
    config,
    envFile: undefined,
    projectDir: kit.work,
    engine: { listLabelled: async () => [] },
    project: 'bench',
  });
  if (read.refused.length > 0) fail(`the bench's sites were refused: ${JSON.stringify(read.refused[0])}`);
  return renderProject(config, kit.work, join(REPO, 'templates'), { others: read.sites.slice(1), now: new Date(), graceMs: 0 });
}

/** certkit's modules the kit is rendered with (dist/), loaded once: a timing after this one leaves node's loading out. */
export async function loadCertkit() {
  const [{ loadConfig }, { renderProject }, { readSites }] = await Promise.all([
    import('../dist/config/load-config.js'),
    import('../dist/render/render-project.js'),
    import('../dist/sites/read-sites.js'),
  ]);
  return { loadConfig, renderProject, readSites };
}

/** As certbot does: the new version in the site's lineage (plain files here), then the kit's deploy hook. */
export async function deploy(kit, certificate, certName = kit.name) {
  const lineage = join(kit.work, 'live', certName);
  await mkdir(lineage, { recursive: true });
  await writeFile(join(lineage, 'privkey.pem'), certificate.key, { mode: 0o600 });
  await writeFile(join(lineage, 'cert.pem'), certificate.cert);
  await writeFile(join(lineage, 'chain.pem'), '');
  await writeFile(join(lineage, 'fullchain.pem'), certificate.cert);
  await run('sh', [kit.hook], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RENEWED_LINEAGE: lineage } });
}
