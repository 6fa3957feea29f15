import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { Engine, ExecOptions, ExecResult, HeldExec, ServiceContainer } from '../../../src/docker/engine.js';
import { COMPOSE_LABELS } from '../../../src/docker/engine.js';
import { CertkitError } from '../../../src/errors.js';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import type { CertificateLoading } from '../../../src/nginx/certificate-pickup.js';
import type { ServedConfig } from '../../../src/nginx/served-config.js';
import { findConfigStamp } from '../../../src/render/config-stamp.js';
import { CONTAINER_PATHS, DEPLOY_HOOK, LOCK_PATH, NGINX_ENTRYPOINT, NGINX_TLS_CERTIFICATE_CONF } from '../../../src/stack/layout.js';
import { LEASE_SCRIPT } from '../../../src/update/run-lock.js';
import { WRITE_FILE_SCRIPT } from '../../../src/certbot/certbot-container.js';
import { SWEEP_FACTS_SCRIPT } from '../../../src/store/sweep-facts.js';
import { PREFLIGHT_SCRIPT } from '../../../src/update/preflight.js';

/** A certificate the fake CA hands out: what certbot would write to live/NAME/. */
export interface FakeIssue {
  cert: string;
  fullchain: string;
  privkey: string;
}

export interface FakeContainer extends ServiceContainer {
  /** Absolute path → content: the container's files, as far as the update workflow reads and writes them. */
  files: Map<string, string>;
  /** pid → argv of the processes the test cares about (leases). */
  processes: Map<number, string[]>;
}

/**
 * An in-memory stand-in for the Docker engine with one Compose stack (nginx + certbot) that acts like the real
 * containers do for the calls the update workflow makes: certbot issues what the test queued, the deploy hook copies
 * live/ to the deploy folder, nginx serves the deployed certificate after SIGHUP (or, once on its HTTPS site, at the
 * next handshake when it loads the certificate per handshake), and the run lock's lease holds
 * as long as its holder has not closed it. Anything else is refused loudly, so a new call shows up in the tests.
 */
export class FakeEngine implements Engine {
  readonly endpoint = 'fake://engine';
  readonly nginx: FakeContainer;
  readonly certbot: FakeContainer;
  /** Every argv run in the certbot container, in order. */
  readonly certbotRuns: string[][] = [];
  /** Every command run in the nginx container, in order. */
  readonly nginxRuns: string[][] = [];
  /** Certificates the next certbot runs issue, in order. */
  readonly queued: FakeIssue[] = [];
  /** Names whose preflight request gets no answer (their DNS points elsewhere); every other name reaches nginx. */
  readonly unreachable = new Set<string>();
  /** The serial nginx presents, once it has loaded a certificate. */
  servedSerial: string | undefined;
  nginxConfigFails = false;
  nginxIgnoresReload = false;
  /** How nginx loads the certificate, as its entrypoint wrote in tls-certificate.conf (undefined: no such file). */
  certificateLoading: CertificateLoading | undefined = 'cached';
  reloads = 0;
  /** The project folder nginx mounts its rendered files from: read at each reload, as nginx's master does. */
  projectDir: string | undefined;
  /** The stamp of the rendering nginx loaded (what it answers on CONFIG_STAMP_PATH); undefined: none. */
  runningStamp: string | undefined;
  /** The other sites' links (nginx/entrypoint.sh's link_sites): site id → the file linked, https or http. */
  readonly siteLinks = new Map<string, 'https' | 'http'>();
  /** The other sites nginx loaded over HTTPS at its last reload: every name of each → that site's certificate name. */
  private loadedSiteNames = new Map<string, string>();
  private nextPid = 100;

  constructor(
    readonly project = 'ck',
    readonly certbotVersion = '2.1.0',
  ) {
    this.nginx = fakeContainer(project, 'nginx', { [`${project}_default`]: '172.30.0.2' });
    this.certbot = fakeContainer(project, 'certbot', { [`${project}_default`]: '172.30.0.3' });
    this.nginx.ports = [{ containerPort: 443, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8443 }];
  }

  /** Puts a certificate in the store as certbot would have (with its renewal conf), and optionally deploys and serves it. */
  seed(certName: string, issue: FakeIssue, options: { deployed?: boolean; served?: boolean } = {}): void {
    this.writeLineage(certName, issue);
    if (options.deployed) this.deploy(certName);
    if (options.served) this.servedSerial = readCertificateInfo(issue.cert).serial;
  }

  /** A lease held by another run (alive) or the file a killed run left (dead: its process is gone). */
  seedLock(holder: string, options: { alive: boolean }): void {
    const pid = this.nextPid++;
    const token = 'f'.repeat(24);
    this.certbot.files.set(LOCK_PATH, `${token} ${pid}\n${holder}\n`);
    if (options.alive) this.certbot.processes.set(pid, ['sh', '-c', LEASE_SCRIPT, 'sh', holder, LOCK_PATH, token]);
  }

  /**
   * Probes nginx as certkit's TLS probe would: for a name of another site loaded over HTTPS, that site's deployed
   * certificate (those sites name theirs through a variable); else the .env site's serial, whatever name is asked.
   */
  probe = async (target?: { servername?: string }): Promise<{ serial: string }> => {
    const otherSite = target?.servername === undefined ? undefined : this.loadedSiteNames.get(target.servername);
    if (otherSite !== undefined) {
      const serial = this.deployedSerial(otherSite);
      if (serial === undefined) throw new Error(`nginx has no certificate for ${otherSite}`);
      return { serial };
    }
    if (this.servedSerial === undefined) throw new Error('nginx presents no certificate');
    if (this.certificateLoading === 'cached' || this.certificateLoading === 'handshake')
      this.servedSerial = this.deployedSerial() ?? this.servedSerial;
    return { serial: this.servedSerial };
  };

  /** Asks nginx which rendering it runs, as certkit's HTTP probe would. */
  configProbe = async (): Promise<ServedConfig> =>
    this.runningStamp ? { stamp: this.runningStamp } : { stamp: undefined, why: 'nginx answers with HTTP 404 and no stamp' };

  async ping(): Promise<void> {}

  async listContainers(filter: { project: string; service?: string; all?: boolean }): Promise<ServiceContainer[]> {
    return [this.nginx, this.certbot].filter(
      (c) => c.project === filter.project && (filter.service === undefined || c.service === filter.service) && (filter.all || c.running),
    );
  }

  /** Containers of other apps, announced by labels (the sites tests add them). */
  apps: ServiceContainer[] = [];

  async listLabelled(label: string, options: { all?: boolean } = {}): Promise<ServiceContainer[]> {
    return this.apps.filter((c) => Object.hasOwn(c.labels, label) && (options.all || c.running));
  }

  async watchContainerEvents(): Promise<void> {}

  async inspectContainer(idOrName: string): Promise<ServiceContainer | undefined> {
    return [this.nginx, this.certbot].find((c) => c.id === idOrName || c.name === idOrName);
  }

  async exec(containerId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = this.running(containerId);
    if (container === this.nginx) {
      this.nginxRuns.push([...argv]);
      return this.execNginx(argv);
    }
    this.certbotRuns.push([...argv]);
    const [command, ...args] = argv;
    if (command === 'cat') return this.cat(args[0] ?? '');
    if (command === 'certbot' && args[0] === '--version') return ok(`certbot ${this.certbotVersion}\n`);
    if (command === 'certbot') return this.runCertbot(args, options);
    if (command === '/bin/sh' && args[0] === DEPLOY_HOOK) {
      const lineage = (options.env ?? []).find((line) => line.startsWith('RENEWED_LINEAGE='))?.split('=')[1] ?? '';
      this.deploy(lineage.split('/').pop() ?? '');
      return ok('');
    }
    if (command === 'sh' && args[0] === '-c' && args[1] === WRITE_FILE_SCRIPT) {
      this.certbot.files.set(args[3] ?? '', args[4] ?? '');
      return ok('');
    }
    if (command === 'sh' && args[0] === '-c' && args[3] === LOCK_PATH) {
      // The lock's remove-if-unchanged script: $1 path, $2 the first line it read.
      if (this.firstLine(LOCK_PATH) === args[4]) this.certbot.files.delete(LOCK_PATH);
      return ok('');
    }
    if (command === 'python3' && args[0] === '-c' && args[1] === SWEEP_FACTS_SCRIPT)
      return ok(this.sweepFacts(args[2] ?? '', args[3] ?? '', args[4] ?? '', args.slice(5)));
    if (command === 'python3' && args[0] === '-c' && args[1] === PREFLIGHT_SCRIPT) return ok(this.preflight(args.slice(4)));
    if (command === 'tail') return ok('');
    throw new Error(`the fake certbot container cannot run ${argv.join(' ')}`);
  }

  async execHeld(containerId: string, argv: readonly string[]): Promise<HeldExec> {
    this.running(containerId);
    const [, , script, , holder = '', path = '', token = ''] = argv;
    if (script !== LEASE_SCRIPT) throw new Error(`the fake certbot container holds only the lock's lease, not ${argv.join(' ')}`);
    if (this.certbot.files.has(path))
      return { firstLine: Promise.resolve(undefined), close: async () => ({ exitCode: 3, stdout: '', stderr: '' }) };
    const pid = this.nextPid++;
    this.certbot.files.set(path, `${token} ${pid}\n${holder}\n`);
    this.certbot.processes.set(pid, [...argv]);
    return {
      firstLine: Promise.resolve('locked'),
      close: async () => {
        this.certbot.processes.delete(pid);
        if (this.firstLine(path) === `${token} ${pid}`) this.certbot.files.delete(path);
        return ok('locked\n');
      },
    };
  }

  async signal(containerId: string, signal: string): Promise<void> {
    const container = this.running(containerId);
    if (container !== this.nginx || signal !== 'SIGHUP') throw new Error(`the fake sends only SIGHUP to nginx, not ${signal}`);
    this.reloads += 1;
    if (this.nginxIgnoresReload) return;
    this.servedSerial = this.deployedSerial();
    this.loadedSiteNames = new Map();
    for (const [id, link] of this.siteLinks) {
      const cert = link === 'https' ? this.certbot.files.get(`${CONTAINER_PATHS.deploy}/${id}/cert.pem`) : undefined;
      for (const name of cert ? readCertificateInfo(cert).domains : []) this.loadedSiteNames.set(name, id);
    }
    if (this.projectDir) this.runningStamp = findConfigStamp(readFileSync(join(this.projectDir, 'nginx/site-https.conf'), 'utf8'));
  }

  /** The serial deployed for this certificate name (default: the first deployed, the .env site's in these tests). */
  private deployedSerial(certName?: string): string | undefined {
    const deployed = [...this.certbot.files.entries()].find(([path]) =>
      certName === undefined
        ? path.startsWith(`${CONTAINER_PATHS.deploy}/`) && path.endsWith('/cert.pem')
        : path === `${CONTAINER_PATHS.deploy}/${certName}/cert.pem`,
    );
    return deployed ? readCertificateInfo(deployed[1]).serial : undefined;
  }

  async getArchive(containerId: string, path: string): Promise<Readable> {
    const container = this.byId(containerId);
    const prefix = `${path.replace(/\/+$/, '')}/`;
    const files = [...container.files.entries()].filter(([file]) => file.startsWith(prefix));
    // certbot's store is a volume: it exists even when empty; the deploy folder appears with the first deployment.
    if (files.length === 0 && path !== CONTAINER_PATHS.letsencrypt)
      throw new CertkitError('NOT_FOUND', `could not read ${path}: no such file`);
    const top = path.split('/').pop() ?? 'root';
    const tar = pack();
    tar.entry({ name: `${top}/`, type: 'directory', mode: 0o755 });
    const folders = new Set<string>();
    for (const [file, content] of files) {
      const relative = file.slice(prefix.length);
      const folder = relative.split('/').slice(0, -1).join('/');
      if (folder && !folders.has(folder)) {
        folders.add(folder);
        tar.entry({ name: `${top}/${folder}/`, type: 'directory', mode: 0o755 });
      }
      tar.entry({ name: `${top}/${relative}`, mode: 0o644 }, content);
    }
    tar.finalize();
    return Readable.from(tar);
  }

  async putArchive(): Promise<void> {
    throw new Error('the update workflow never writes archives');
  }

  private running(containerId: string): FakeContainer {
    const container = this.byId(containerId);
    if (!container.running) {
      throw new CertkitError(
        'CONTAINER_NOT_RUNNING',
        `the ${container.service} container (${container.name}) stopped while certkit was running`,
      );
    }
    return container;
  }

  /** certkit addresses containers by name (the socket proxy allows calls on this stack's names only), never by id. */
  private byId(containerId: string): FakeContainer {
    const container = [this.nginx, this.certbot].find((c) => c.name === containerId);
    if (!container) throw new CertkitError('CONTAINER_NOT_RUNNING', `no container ${containerId}`);
    return container;
  }

  private execNginx(argv: readonly string[]): ExecResult {
    if (argv[0] === 'cat' && argv[1] === NGINX_TLS_CERTIFICATE_CONF) {
      if (this.certificateLoading === undefined) return { exitCode: 1, stdout: '', stderr: `cat: ${argv[1]}: No such file or directory\n` };
      return ok(`# Written by entrypoint.sh for nginx version: nginx/1.30.0: ${this.certificateLoading}\n`);
    }
    if (argv[0] !== '/bin/sh' || argv[1] !== NGINX_ENTRYPOINT || (argv[2] !== 'select' && argv[2] !== 'sites'))
      throw new Error(`the fake nginx cannot run ${argv.join(' ')}`);
    const changed = this.nginxConfigFails ? [] : this.linkSites();
    if (argv[2] === 'sites') return ok(changed.map((id) => `${id}\n`).join(''));
    if (this.nginxConfigFails)
      return {
        exitCode: 1,
        stdout: '',
        stderr: 'nginx: [emerg] cannot load certificate\nnginx: configuration file /etc/nginx/nginx.conf test failed\n',
      };
    // `select` links the other sites too, and prints those whose link changed before the mode chosen.
    return ok(`${changed.map((id) => `${id}\n`).join('')}${argv[3] === 'http' ? 'http' : 'https'}\n`);
  }

  /** As link_sites: each site's HTTPS file once its certificate is deployed, else its HTTP file; the sites that changed. */
  private linkSites(): string[] {
    const folder = this.projectDir ? join(this.projectDir, 'nginx/sites') : undefined;
    const ids =
      folder && existsSync(folder)
        ? readdirSync(folder)
            .filter((f) => f.endsWith('.https.conf'))
            .map((f) => f.slice(0, -11))
        : [];
    const changed: string[] = [];
    for (const id of ids) {
      const want = this.certbot.files.has(`${CONTAINER_PATHS.deploy}/${id}/cert.pem`) ? 'https' : 'http';
      if (this.siteLinks.get(id) !== want) changed.push(id);
      this.siteLinks.set(id, want);
    }
    for (const id of [...this.siteLinks.keys()].filter((known) => !ids.includes(known))) {
      this.siteLinks.delete(id);
      changed.push(id);
    }
    return changed;
  }

  private cat(path: string): ExecResult {
    const proc = /^\/proc\/(\d+)\/cmdline$/.exec(path);
    if (proc) {
      const argv = this.certbot.processes.get(Number(proc[1]));
      return argv ? ok(`${argv.join('\0')}\0`) : { exitCode: 1, stdout: '', stderr: `cat: ${path}: No such file or directory\n` };
    }
    const content = this.certbot.files.get(path);
    return content === undefined ? { exitCode: 1, stdout: '', stderr: `cat: ${path}: No such file or directory\n` } : ok(content);
  }

  private runCertbot(args: readonly string[], options: ExecOptions): ExecResult {
    const certName = args[args.indexOf('--cert-name') + 1] ?? '';
    const next = this.queued.shift();
    if (!next) throw new Error(`certbot ${args[0]} ran, but the test queued no certificate for it`);
    options.onOutput?.(`Successfully received certificate.\n`, 'stdout');
    if (!args.includes('--dry-run')) {
      this.writeLineage(certName, next);
      this.deploy(certName); // certbot runs the deploy hook itself
    }
    return ok('Successfully received certificate.\n');
  }

  private writeLineage(certName: string, issue: FakeIssue): void {
    const live = `${CONTAINER_PATHS.letsencrypt}/live/${certName}`;
    this.certbot.files.set(`${live}/cert.pem`, issue.cert);
    this.certbot.files.set(`${live}/fullchain.pem`, issue.fullchain);
    this.certbot.files.set(`${live}/privkey.pem`, issue.privkey);
    this.certbot.files.set(
      `${CONTAINER_PATHS.letsencrypt}/renewal/${certName}.conf`,
      `version = 2.1.0\ncert = ${live}/cert.pem\n[renewalparams]\nauthenticator = webroot\nserver = https://acme-v02.api.letsencrypt.org/directory\nkey_type = ecdsa\n`,
    );
  }

  private deploy(certName: string): void {
    const live = `${CONTAINER_PATHS.letsencrypt}/live/${certName}`;
    for (const file of ['cert.pem', 'fullchain.pem', 'privkey.pem']) {
      const content = this.certbot.files.get(`${live}/${file}`);
      if (content !== undefined) this.certbot.files.set(`${CONTAINER_PATHS.deploy}/${certName}/${file}`, content);
    }
  }

  /** What SWEEP_FACTS_SCRIPT prints for these files (its own behaviour is tested against python3 in sweep-facts.test.ts). */
  private sweepFacts(store: string, deploy: string, cache: string, only: readonly string[]): string {
    const files = this.certbot.files;
    const wanted = (name: string) => only.length === 0 || only.includes(name);
    const live: Record<string, { cert: string | null; conf: string | null }> = {};
    const deployed: Record<string, string | null> = {};
    for (const [path, content] of files) {
      const lineage = new RegExp(`^${store}/live/([^/]+)/cert[.]pem$`).exec(path)?.[1];
      if (lineage && wanted(lineage)) live[lineage] = { cert: content, conf: files.get(`${store}/renewal/${lineage}.conf`) ?? null };
      const copy = new RegExp(`^${deploy}/([^/]+)/(cert|bundle)[.]pem$`).exec(path);
      if (copy?.[1] && wanted(copy[1]) && (copy[2] === 'bundle' || !files.has(`${deploy}/${copy[1]}/bundle.pem`))) {
        let serial: string | null;
        try {
          serial = readCertificateInfo(content).serial;
        } catch {
          serial = null;
        }
        deployed[copy[1]] = serial;
      }
    }
    const hasDeploy = [...files.keys()].some((path) => path.startsWith(`${deploy}/`));
    return `${JSON.stringify({ live, deployed: hasDeploy ? deployed : null, ariCache: files.get(cache) ?? null })}\n`;
  }

  /** What PREFLIGHT_SCRIPT prints for its "NAME URL HOST" arguments: a refused connection for an unreachable name. */
  private preflight(targets: readonly string[]): string {
    const answers = targets.map((target) => {
      const name = target.split(' ')[0] ?? '';
      const reaches = !this.unreachable.has(name);
      return { name, ok: reaches, detail: reaches ? 'HTTP 200' : '<urlopen error [Errno 111] Connection refused>' };
    });
    return `${JSON.stringify(answers)}\n`;
  }

  private firstLine(path: string): string | undefined {
    return this.certbot.files.get(path)?.split('\n')[0];
  }
}

function fakeContainer(project: string, service: string, networks: Record<string, string>): FakeContainer {
  return {
    id: `${service}-0123456789abcdef`,
    name: `${project}-${service}-1`,
    project,
    service,
    running: true,
    state: 'running',
    networks,
    ports: [],
    labels: { [COMPOSE_LABELS.project]: project, [COMPOSE_LABELS.service]: service },
    files: new Map(),
    processes: new Map(),
  };
}

function ok(stdout: string): ExecResult {
  return { exitCode: 0, stdout, stderr: '' };
}
