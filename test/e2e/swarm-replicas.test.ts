import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { docker } from '../../bench/swarm-bed.js';
import { readCertificateInfo } from '../../src/certs/read-certificate.js';
import { createLogger } from '../../src/log.js';
import type { Site } from '../../src/sites/site.js';
import type { ReplicaReport } from '../../src/swarm/replica-status.js';
import { runCommand, type CommandResult } from './support/docker-cli.js';
import { REPO } from './support/stack.js';
import { rotateBed } from './support/swarm-rotate.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

const SITE: Site = {
  id: 'web',
  certName: 'web',
  names: ['web.replicas.certkit.test'],
  routes: [],
  challenge: { type: 'http' },
  profile: undefined,
  keyType: { type: 'ecdsa', curve: 'secp256r1' },
  sources: [{ kind: 'env', file: undefined }],
};

// `certkit status` and `doctor` on a single-node Swarm (CERTKIT_SWARM_STACK): a row per site and nginx replica, naming
// a replica that is not on its site's newest secret version: before the first certificate, while a rotation is held
// half-way (Swarm waits between tasks), and after it, when every replica's handshake presents the new serial.
describe.skipIf(dockerMissing !== '')('swarm: status and doctor report which certificate each nginx replica serves', () => {
  // The project folder status reads: its .env declares the site (its id, and the name each handshake asks for).
  const suite = useSwarmBed({
    site: SITE,
    project: () => ({ '.env': `CERTBOT_DOMAIN=${SITE.names[0]}\nCERTBOT_CERT_NAME=${SITE.certName}\nCERTBOT_SERVER=pebble\n` }),
  });
  const log = createLogger({ write: () => undefined });
  const certkit = (args: readonly string[]): Promise<CommandResult> =>
    runCommand(process.execPath, [join(REPO, 'bin/certkit.js'), ...args], {
      cwd: suite.project,
      env: { ...process.env, CI: '', CERTKIT_SWARM_STACK: suite.bed.name },
      timeoutMs: 120_000,
    });
  const statusJson = async (): Promise<{ code: number; report: ReplicaReport; stderr: string }> => {
    const result = await certkit(['status', '--json']);
    return { code: result.code, report: JSON.parse(result.stdout) as ReplicaReport, stderr: result.stderr };
  };
  const serial = async (): Promise<string> => readCertificateInfo((await suite.bed.readCertificate()).fullchainPem).serial;

  it('before a certificate: a row per replica, each naming the site with no version yet; status exits 1', async () => {
    const result = await certkit(['status']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^SITE\s+REPLICA\s+NODE\s+STATE\s+VERSION/);
    expect(result.stdout).toMatch(new RegExp(`site web has no secret version yet: replica ${suite.bed.service}\\.1 `));
    expect(result.stdout).toMatch(new RegExp(`site web has no secret version yet: replica ${suite.bed.service}\\.2 `));
  });

  let first: string;
  it('after a rotation every replica mounts the new version and its handshake presents its serial; status exits 0', async () => {
    await suite.bed.issue();
    const rotated = await rotateBed(suite.bed, log);
    first = rotated.secret.name;
    const expected = await serial();
    const { code, report, stderr } = await statusJson();
    expect(code, JSON.stringify(report, null, 2) + stderr).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.rows.map((row) => [row.site, row.replica, row.mounted?.name, row.mounted?.serial, row.served, row.problem])).toEqual([
      ['web', `${suite.bed.service}.1`, first, expected, expected, null],
      ['web', `${suite.bed.service}.2`, first, expected, expected, null],
    ]);
    const doctor = await certkit(['doctor']);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('no problems found');
  });

  it('a rotation held half-way: status names the replica still on the old version and exits 1; once done, 0', async () => {
    const oldSerial = await serial();
    await suite.bed.issue();
    const newSerial = await serial();
    // Swarm waits this long between tasks (the rotation keeps the service's delay): one task replaced, one not.
    await docker(['service', 'update', '--detach', '--update-delay', '600s', suite.bed.service]);
    const rotation = rotateBed(suite.bed, log, 240_000);
    rotation.catch(() => undefined);
    const held = await waitUntil(
      'one replica on the new version, one on the old',
      async () => {
        const status = await statusJson();
        const names = new Set(status.report.rows.map((row) => row.mounted?.name));
        const stale = status.report.rows.filter((row) => row.problem !== null);
        return names.size === 2 && stale.length === 1 && stale[0]?.mounted?.name === first && status.report.rows.length === 2
          ? status
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    expect(held.code).toBe(1);
    const stale = held.report.rows.find((row) => row.problem !== null);
    const current = held.report.rows.find((row) => row.problem === null);
    expect(current?.served).toBe(newSerial);
    expect(stale?.served, 'the stale replica still presents the old certificate').toBe(oldSerial);
    expect(stale?.problem).toMatch(
      new RegExp(
        `^replica ${suite.bed.service}\\.[12] \\(task \\w+, node \\S+\\) is still on ${first} \\(serial ${oldSerial}\\) for site web; it should have ${suite.bed.name}-web-\\w+ \\(serial ${newSerial}\\)$`,
      ),
    );
    const table = await certkit(['status']);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain(stale?.problem);
    const doctor = await certkit(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(stale?.problem);

    // Let Swarm go on: the update restarts with no delay and replaces the task left.
    await docker(['service', 'update', '--detach', '--update-delay', '0s', suite.bed.service]);
    await rotation;
    await rotateBed(suite.bed, log); // the old version removed now that no task mounts it
    const done = await waitUntil(
      'every replica on the new version',
      async () => {
        const status = await statusJson();
        return status.code === 0 ? status : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    expect(done.report.rows.map((row) => [row.served, row.problem])).toEqual([
      [newSerial, null],
      [newSerial, null],
    ]);
  });

  it('a replica with no secret (a stack deploy again dropped it) is named, with the version it should have', async () => {
    const version = (await statusJson()).report.rows[0]?.mounted?.name as string;
    await docker(['service', 'update', '--detach', '--secret-rm', version, suite.bed.service], { timeoutMs: 120_000 });
    const status = await waitUntil(
      'the replicas without the secret',
      async () => {
        const now = await statusJson();
        return now.report.rows.length === 2 && now.report.rows.every((row) => row.mounted === null) ? now : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    expect(status.code).toBe(1);
    for (const row of status.report.rows) {
      expect(row.served).toBeNull();
      expect(row.problem).toMatch(new RegExp(`mounts no version of site web .* it should have ${version} `));
    }
  });
});
