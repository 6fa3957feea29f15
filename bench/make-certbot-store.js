// Builds a certbot config dir (/etc/letsencrypt layout, as certbot 2.1 leaves it) with many certificates, for the
// benchmarks. Plain ESM JavaScript: the repo compiles only src/, and Node 20 cannot run TypeScript directly.
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KINDS = ['cert', 'chain', 'fullchain', 'privkey'];

// The leaf extensions a Let's Encrypt certificate carries; the names come in through the environment per call.
const LEAF_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
`;

/**
 * Writes `count` lineages named site0001.bench.test… into `root`, each with one archive version, relative live/
 * links and a renewal conf. Every certificate is distinct (its own names and serial); they share one P-256 key,
 * because key generation is not what the benchmark measures. `options.lineages` gives the lineages instead (a
 * certificate name and its names each), and `options.server` / `options.webroot` what the renewal confs say
 * (default: Let's Encrypt and /var/www/html, a store from another setup).
 */
export async function makeCertbotStore(root, count, workDir, options = {}) {
  const ca = await makeAuthority(workDir);
  for (const dir of ['accounts', 'archive', 'live', 'renewal']) await mkdir(join(root, dir), { recursive: true, mode: 0o755 });
  await writeFile(join(root, 'live', 'README'), 'This directory contains your keys and certificates.\n');
  const lineages =
    options.lineages ??
    Array.from({ length: count }, (_, index) => {
      const name = `site${String(index + 1).padStart(4, '0')}.bench.test`;
      return { certName: name, domains: [name, `www.${name}`] };
    });
  const names = lineages.map((lineage) => lineage.certName);
  const conf = { server: options.server ?? 'https://acme-v02.api.letsencrypt.org/directory', webroot: options.webroot ?? '/var/www/html' };
  // openssl costs ~8 ms a certificate; running a few at once keeps 1,000 certificates to a few seconds.
  const queue = [...lineages];
  const worker = async () => {
    for (let lineage = queue.shift(); lineage !== undefined; lineage = queue.shift()) await writeLineage(root, lineage, ca, conf);
  };
  await Promise.all(Array.from({ length: availableParallelism() * 2 }, worker));
  return names;
}

async function makeAuthority(dir) {
  const paths = { key: join(dir, 'ca.key'), cert: join(dir, 'ca.pem'), leafKey: join(dir, 'leaf.key'), config: join(dir, 'leaf.cnf') };
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    paths.key,
    '-subj',
    '/CN=certkit bench CA',
    '-days',
    '3650',
    '-out',
    paths.cert,
  ]);
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', paths.leafKey]);
  await writeFile(paths.config, LEAF_CONFIG);
  return { ...paths, chain: await readFile(paths.cert, 'utf8'), privkey: await readFile(paths.leafKey, 'utf8') };
}

async function writeLineage(root, { certName: name, domains }, ca, conf) {
  const { stdout: cert } = await run(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-config',
      ca.config,
      '-extensions',
      'leaf',
      '-key',
      ca.leafKey,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-subj',
      `/CN=${domains[0]}`,
      '-days',
      '90',
    ],
    { env: { ...process.env, SAN: domains.map((domain) => `DNS:${domain}`).join(',') } },
  );
  const contents = { cert, chain: ca.chain, fullchain: cert + ca.chain, privkey: ca.privkey };
  await mkdir(join(root, 'archive', name), { mode: 0o700 });
  await mkdir(join(root, 'live', name));
  for (const kind of KINDS) {
    await writeFile(join(root, 'archive', name, `${kind}1.pem`), contents[kind], { mode: kind === 'privkey' ? 0o600 : 0o644 });
    await symlink(`../../archive/${name}/${kind}1.pem`, join(root, 'live', name, `${kind}.pem`));
  }
  await writeFile(join(root, 'renewal', `${name}.conf`), renewalConf(name, domains, conf));
}

/** What certbot 2.1 writes for a webroot certificate; its paths name /etc/letsencrypt, as they do on a real host. */
function renewalConf(name, domains, conf) {
  const base = '/etc/letsencrypt';
  return [
    '# renew_before_expiry = 30 days',
    'version = 2.1.0',
    `archive_dir = ${base}/archive/${name}`,
    ...KINDS.map((kind) => `${kind} = ${base}/live/${name}/${kind}.pem`),
    '',
    '# Options used in the renewal process',
    '[renewalparams]',
    'account = 0123456789abcdef0123456789abcdef',
    'authenticator = webroot',
    `webroot_path = ${conf.webroot},`,
    `server = ${conf.server}`,
    'key_type = ecdsa',
    '[[webroot_map]]',
    ...domains.map((domain) => `${domain} = ${conf.webroot}`),
    '',
  ].join('\n');
}
