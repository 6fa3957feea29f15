// A single-node Swarm test bed for the swarm e2e test and `npm run bench:swarm` (plain JS, run without a build):
// compose.swarm.yaml deployed as a stack with the stand-in images and a Pebble, on an internal overlay network, with a
// forwarder published on 127.0.0.1 (Swarm's routing mesh cannot publish on one address) in front of nginx (its VIP, or
// its tasks by DNS where the kernel has no IPVS).
//
// The Swarm is this engine's: initialised here only if the engine is in none, and left at the end only then. Run under
// /tmp/certkit-e2e.lock, since a swarm changes the engine every other test uses.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { docker, hasIpvs, poll } from './swarm-engine.js';

export { docker, ensureSwarm, leaveSwarm } from './swarm-engine.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** A TCP forwarder (node -e): LISTEN_PORT (8443) to TARGET:TARGET_PORT. */
export const FORWARDER = `
const net = require('node:net');
const [target, port] = [process.env.TARGET, Number(process.env.TARGET_PORT)];
net.createServer((client) => {
  const upstream = net.connect(port, target);
  client.pipe(upstream).pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
}).listen(Number(process.env.LISTEN_PORT || 8443));
`;

/**
 * Deploys the stack. images: NGINX_IMAGE, CERTBOT_IMAGE, PEBBLE_IMAGE, PEBBLE_CHALLTESTSRV_IMAGE, CERTKIT_NODE_IMAGE.
 * renderNginx: (sites) => the nginx.conf text (the caller's renderSwarmNginx, from src/ or dist/). editStack: (file) =>
 * void, changes the parsed stack file before it is deployed.
 */
export function prepareSwarmBed({ site }) {
  const name = `cks${randomBytes(3).toString('hex')}`;
  return withBedMethods({ name, dir: undefined, service: `${name}_nginx`, network: `${name}_default`, forwarder: `${name}-edge`, site });
}

/**
 * Deploys the bed's stack; on failure the caller still removes it (removeSwarmBed). Beyond compose.swarm.yaml:
 * stackFiles (more files of the repo given to `docker stack deploy -c`, as a user would), deployEnv (the shell's
 * variables for them), subnet (the overlay network's, `10.x.y`, so a plain container can take a fixed address on it),
 * pebbleDns (the DNS server Pebble asks, `IP:PORT`; default the bed's pebble-challtestsrv), editStack (changes the
 * parsed stack file before it is deployed).
 */
export async function deploySwarmBed(
  bed,
  {
    images,
    legacy,
    renderNginx,
    replicas = 2,
    services = {},
    monitor,
    certkitEnv,
    editStack,
    stackFiles = [],
    deployEnv = {},
    subnet,
    pebbleDns,
  },
) {
  const { name, site } = bed;
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  bed.dir = dir;
  await mkdir(join(dir, 'swarm'));
  await mkdir(join(dir, 'templates'));
  await cp(join(REPO, 'templates', 'swarm'), join(dir, 'templates', 'swarm'), { recursive: true });
  await writeFile(join(dir, 'swarm', 'nginx.conf'), await renderNginx([site]));
  await cp(join(REPO, 'pebble', 'pebble-config.json'), join(dir, 'pebble-config.json'));

  // The user's stack file, changed only where a test must: no port published on every address (the forwarder below
  // publishes on 127.0.0.1), an internal network, and a Pebble.
  const file = parse(await readFile(join(REPO, 'compose.swarm.yaml'), 'utf8'));
  delete file.services.nginx.ports;
  file.networks.default.internal = true;
  if (subnet) file.networks.default.ipam = { config: [{ subnet: `${subnet}.0/24` }] };
  // A shorter watch of each new task than the stack file's, so a test's rotations cost less.
  if (monitor) file.services.nginx.deploy.update_config.monitor = monitor;
  // The test's own services (an app announcing a site by deploy.labels, say).
  Object.assign(file.services, services);
  // Any other change of the caller's (a bench's variant of the nginx service, say).
  editStack?.(file);
  // certkit's daemon only where the caller gives its .env (a test driving the stack with the CLI leaves it out).
  // Its socket proxy with it: the configuration `certkit render` writes for the stack (from dist/, built before e2e).
  if (certkitEnv === undefined) {
    delete file.services.certkit;
    delete file.services['docker-proxy'];
    delete file.configs['docker-proxy-conf'];
    delete file.networks['docker-api'];
    delete file.secrets;
  } else {
    await writeFile(join(dir, '.env'), certkitEnv, { mode: 0o600 });
    const { renderSwarmDockerProxy, swarmDockerProxyScope } = await import('../dist/render/render-docker-proxy.js');
    const proxy = await renderSwarmDockerProxy(join(REPO, 'templates'), swarmDockerProxyScope(name, 'nginx'));
    await writeFile(join(dir, 'swarm', 'docker-proxy.cfg'), proxy.content);
    file.services['docker-proxy'].volumes = [`${dockerSocket()}:/var/run/docker.sock:ro`];
  }
  const dnsFlag = legacy ? '-dns01' : '-dnsserver';
  file.services.pebble = {
    image: '${PEBBLE_IMAGE}',
    command: ['-config', '/etc/certkit/pebble-config.json', '-dnsserver', pebbleDns ?? 'pebble-challtestsrv:8053'],
    environment: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    configs: [{ source: 'pebble-config', target: '/etc/certkit/pebble-config.json' }],
  };
  file.services['pebble-challtestsrv'] = {
    image: '${PEBBLE_CHALLTESTSRV_IMAGE}',
    command: ['-management', ':8055', dnsFlag, ':8053', '-http01', '', '-https01', '', '-tlsalpn01', '', ...(legacy ? [] : ['-doh', ''])],
  };
  file.configs['pebble-config'] = { name: `${name}-pebble-config`, file: './pebble-config.json' };
  // Swarm's virtual IPs (and its routing mesh) need the kernel's IPVS; where the kernel has none (this CI's VM), every
  // service is reached by DNS round robin over its tasks' addresses instead.
  bed.endpointMode = hasIpvs() ? 'vip' : 'dnsrr';
  if (bed.endpointMode === 'dnsrr')
    for (const service of Object.values(file.services)) service.deploy = { ...service.deploy, endpoint_mode: 'dnsrr' };
  await writeFile(join(dir, 'stack.yaml'), stringify(file));

  const env = {
    ...process.env,
    NGINX_IMAGE: images.NGINX_IMAGE,
    CERTBOT_IMAGE: images.CERTBOT_IMAGE,
    PEBBLE_IMAGE: images.PEBBLE_IMAGE,
    PEBBLE_CHALLTESTSRV_IMAGE: images.PEBBLE_CHALLTESTSRV_IMAGE,
    CERTKIT_IMAGE: images.CERTKIT_IMAGE,
    CERTKIT_PROXY_IMAGE: images.CERTKIT_PROXY_IMAGE,
    CERTKIT_SWARM_CONF_VERSION: name,
    CERTKIT_NGINX_REPLICAS: String(replicas),
    // certkit's healthcheck: Swarm counts its task running once healthy, so a test's deploy waits seconds, not 30.
    CERTKIT_HEALTHCHECK_INTERVAL: '2s',
    ...deployEnv,
  };
  const files = [join(dir, 'stack.yaml')];
  for (const extra of stackFiles) {
    await cp(join(REPO, extra), join(dir, extra));
    files.push(join(dir, extra));
  }
  const count = Object.keys(file.services).length;
  bed.redeploy = () =>
    docker(['stack', 'deploy', '--resolve-image', 'never', ...files.flatMap((path) => ['-c', path]), name], { env, timeoutMs: 180_000 });
  await bed.redeploy();
  await poll('every service of the stack to run', 180_000, async () => {
    const lines = (
      await docker(['service', 'ls', '--filter', `label=com.docker.stack.namespace=${name}`, '--format', '{{.Name}} {{.Replicas}}'])
    )
      .trim()
      .split('\n');
    return lines.length === count && lines.every((line) => /\s(\d+)\/\1\b/.test(line));
  });

  // With a VIP, the CA's DNS answers every name with it (Swarm picks a replica); without, with one replica's address,
  // another at each issuance (bed.issue).
  bed.vip = bed.endpointMode === 'vip' ? await nginxVip(bed) : undefined;
  await bed.pointCaAt(bed.vip ?? (await nginxReplicas(bed))[0].ip);
  await docker([
    'run',
    '-d',
    '--name',
    bed.forwarder,
    '--label',
    `certkit-test.swarm=${name}`,
    '-p',
    '127.0.0.1::8443',
    '-e',
    `TARGET=${bed.vip ?? 'nginx'}`,
    '-e',
    'TARGET_PORT=443',
    images.CERTKIT_NODE_IMAGE,
    'node',
    '-e',
    FORWARDER,
  ]);
  await docker(['network', 'connect', bed.network, bed.forwarder]);
  const published = (await docker(['port', bed.forwarder, '8443/tcp'])).trim().split('\n')[0];
  bed.port = Number(published.split(':').pop());
  return bed;
}

/** The engine's socket on this host, as DOCKER_HOST names it (unix:// only; the default otherwise). */
function dockerSocket() {
  const host = process.env.DOCKER_HOST ?? '';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/** nginx's virtual IP on the stack's network (Swarm balances connections to it over the replicas). */
async function nginxVip(bed) {
  const networkId = (await docker(['network', 'inspect', bed.network, '--format', '{{.Id}}'])).trim();
  const vips = JSON.parse(await docker(['service', 'inspect', bed.service, '--format', '{{json .Endpoint.VirtualIPs}}']));
  const vip = vips.find((entry) => entry.NetworkID === networkId);
  if (!vip) throw new Error(`service ${bed.service} has no VIP on ${bed.network}`);
  return vip.Addr.split('/')[0];
}

/** The running container of a one-replica service (certbot, acme-responder): on this node, as the bed is one node. */
export async function serviceContainer(service) {
  return poll(
    `a running container of ${service}`,
    60_000,
    async () =>
      (await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`, '--filter', 'status=running']))
        .trim()
        .split('\n')[0],
  );
}

/** The nginx tasks running now: their container and address on the stack's network. */
export async function nginxReplicas(bed) {
  const ids = (await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${bed.service}`, '--filter', 'status=running']))
    .trim()
    .split('\n')
    .filter(Boolean);
  const replicas = [];
  for (const id of ids) {
    const networks = JSON.parse(await docker(['inspect', id, '--format', '{{json .NetworkSettings.Networks}}']));
    replicas.push({ container: id, ip: networks[bed.network]?.IPAddress });
  }
  return replicas;
}

function withBedMethods(bed) {
  bed.certbotExec = async (argv, timeoutMs = 120_000) =>
    docker(['exec', await serviceContainer(`${bed.name}_certbot`), ...argv], { timeoutMs });
  bed.certbotPython = (script) => bed.certbotExec(['python3', '-c', script]);
  /** The CA's DNS answers every name with this address. */
  bed.pointCaAt = (ip) =>
    bed.certbotPython(`
import json, urllib.request
for path, body in (("/set-default-ipv4", {"ip": "${ip}"}), ("/set-default-ipv6", {"ip": ""})):
    urllib.request.urlopen(urllib.request.Request("http://pebble-challtestsrv:8055" + path, data=json.dumps(body).encode(), method="POST"), timeout=10).read()
`);
  /** The CA's DNS answers this one name with this address (a name that reaches no server: a site that fails). */
  bed.caAnswers = (host, ip) =>
    bed.certbotPython(`
import json, urllib.request
body = {"host": "${host}.", "addresses": ["${ip}"]}
urllib.request.urlopen(urllib.request.Request("http://pebble-challtestsrv:8055/add-a", data=json.dumps(body).encode(), method="POST"), timeout=10).read()
`);
  bed.issued = 0;
  /** certbot certonly (first) or a forced renewal over HTTP-01 through nginx (without a VIP, each time through another replica). */
  bed.issue = async () => {
    if (!bed.vip) {
      const replicas = await nginxReplicas(bed);
      await bed.pointCaAt(replicas[bed.issued % replicas.length].ip);
    }
    bed.issued += 1;
    return bed.certbotExec(
      [
        'certbot',
        'certonly',
        '--webroot',
        '-w',
        '/var/www/certbot',
        '-d',
        bed.site.names[0],
        '--cert-name',
        bed.site.id,
        '--server',
        'https://pebble:14000/dir',
        '--no-verify-ssl',
        '--agree-tos',
        '--register-unsafely-without-email',
        '--non-interactive',
        '--force-renewal',
        '--key-type',
        'ecdsa',
      ],
      180_000,
    );
  };
  bed.readCertificate = async (certName = bed.site.id) => ({
    fullchainPem: await bed.certbotExec(['cat', `/etc/letsencrypt/live/${certName}/fullchain.pem`]),
    keyPem: await bed.certbotExec(['cat', `/etc/letsencrypt/live/${certName}/privkey.pem`]),
  });
  /** The leaf each replica serves for the site's name, asked of the replica's own address (DER, base64). */
  bed.servedByReplicas = async (name = bed.site.names[0]) => {
    const served = [];
    for (const replica of await nginxReplicas(bed)) {
      const der = await bed.certbotPython(`
import socket, ssl, base64
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("${replica.ip}", 443), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="${name}") as tls:
        print(base64.b64encode(tls.getpeercert(binary_form=True)).decode())
`);
      served.push({ ...replica, der: der.trim() });
    }
    return served;
  };
  /** GET over plain HTTP from the certbot container to one address (a replica's), the body or the error. */
  bed.httpGet = (ip, path) =>
    bed.certbotPython(`
import urllib.request
print(urllib.request.urlopen("http://${ip}${path}", timeout=10).read().decode(), end="")
`);
  return bed;
}

/** Removes the stack, its forwarder, its secrets and volumes; waits (bounded) for its containers to go. */
export async function removeSwarmBed(bed) {
  await docker(['rm', '-f', bed.forwarder]).catch(() => undefined);
  await docker(['stack', 'rm', bed.name]).catch(() => undefined);
  await poll(
    `the containers of stack ${bed.name} to go`,
    90_000,
    async () => (await docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${bed.name}`])).trim() === '',
  ).catch(() => undefined);
  const secrets = (await docker(['secret', 'ls', '-q', '--filter', `label=certkit.stack=${bed.name}`]).catch(() => ''))
    .trim()
    .split('\n')
    .filter(Boolean);
  if (secrets.length > 0) await docker(['secret', 'rm', ...secrets]).catch(() => undefined);
  const volumes = (await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${bed.name}`]).catch(() => ''))
    .trim()
    .split('\n')
    .filter(Boolean);
  if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
  await poll(
    `the network of stack ${bed.name} to go`,
    30_000,
    async () => (await docker(['network', 'ls', '-q', '--filter', `name=${bed.network}`])).trim() === '',
  ).catch(() => undefined);
  if (bed.dir) await rm(bed.dir, { recursive: true, force: true });
}
