import { readCertificateInfoDer } from '../certs/read-certificate.js';
import type { Engine } from '../docker/engine.js';
import { sniFor } from '../nginx/tls-probe.js';
import { replicaStatus, type ReplicaReport, type ServedCheck } from './replica-status.js';
import { taskIsLive, type TaskView } from './rotation-plan.js';
import { LABEL_STACK } from './secret-name.js';
import type { SwarmApi } from './swarm-api.js';

/** A site as the replica report needs it: its id, and a name to ask each replica's handshake for. */
export interface ReplicaSite {
  id: string;
  names: readonly string[];
}

/**
 * The replica report of a Swarm stack, read through the manager: the nginx service's spec and tasks, the stack's
 * secret versions with their labels, and, where a handshake can be made, the serial each replica presents. The
 * handshakes run in the stack's certbot task on this node (python3, which certbot's image has), on the overlay network
 * it shares with every nginx task: what a client of that replica gets, not what its spec says.
 */
export async function readReplicaStatus(input: {
  api: SwarmApi;
  /** To exec the handshakes in the certbot task (omitted: no handshake, the rows say what each task mounts). */
  engine?: Engine;
  stack: string;
  /** The nginx service's name in Swarm (`STACK_nginx` unless given). */
  service?: string;
  sites?: readonly ReplicaSite[];
}): Promise<ReplicaReport> {
  const { api, stack } = input;
  const serviceName = input.service ?? `${stack}_nginx`;
  const [service, secrets, nodeNames] = await Promise.all([
    api.inspectService(serviceName),
    api.listSecrets([`${LABEL_STACK}=${stack}`]),
    api.nodeNames(),
  ]);
  const tasks = await api.listTasks(service.id);
  // A global service's nodes: one eligible without a task serves nothing (src/swarm/global-coverage.ts).
  const nodes = service.global && api.nodeStates ? await api.nodeStates() : undefined;
  const served = input.engine ? await readServed(input.engine, api, stack, tasks, input.sites ?? []) : undefined;
  return replicaStatus({
    service: {
      name: service.name,
      replicas: service.replicas,
      secrets: service.secrets,
      updateState: service.updateState,
      updateMessage: service.updateMessage,
      global: service.global ?? false,
      constraints: service.constraints ?? [],
    },
    ...(nodes ? { nodes } : {}),
    tasks,
    secrets,
    sites: (input.sites ?? []).map((site) => site.id),
    ...(served ? { served } : {}),
    nodeNames,
  });
}

/** Handshakes, one exec for them all, in the certbot task running on this node; undefined when there is none here. */
async function readServed(
  engine: Engine,
  api: SwarmApi,
  stack: string,
  tasks: readonly TaskView[],
  sites: readonly ReplicaSite[],
): Promise<Map<string, Map<string, ServedCheck>> | undefined> {
  const self = await api.swarmState();
  const certbotService = await api.inspectService(`${stack}_certbot`).catch(() => undefined);
  if (!certbotService) return undefined;
  const certbot = (await api.listTasks(certbotService.id)).find(
    (task) => task.state === 'running' && task.nodeId === self.nodeId && task.containerId !== undefined,
  );
  if (!certbot?.containerId) return undefined;
  const probes: Array<{ task: string; site: string; host: string; name: string }> = [];
  for (const task of tasks) {
    if (task.desiredState !== 'running' || !taskIsLive(task)) continue;
    const network = Object.keys(task.networks).find((id) => certbot.networks[id] !== undefined);
    const host = network ? task.networks[network] : undefined;
    if (!host) continue;
    for (const site of sites) if (site.names[0]) probes.push({ task: task.id, site: site.id, host, name: sniFor(site.names[0]) });
  }
  if (probes.length === 0) return undefined;
  // By its name where Swarm's list gave it (what the socket proxy lets through), else its id.
  const container = certbot.containerName ?? certbot.containerId;
  const result = await engine.exec(container, ['python3', '-c', HANDSHAKES, JSON.stringify(probes)], { timeoutMs: 60_000 });
  if (result.exitCode !== 0) return undefined;
  const answers = JSON.parse(result.stdout) as Array<{ der?: string; error?: string }>;
  const served = new Map<string, Map<string, ServedCheck>>();
  probes.forEach((probe, index) => {
    const answer = answers[index];
    const check: ServedCheck = answer?.der
      ? { serial: readCertificateInfoDer(Buffer.from(answer.der, 'base64')).serial }
      : { error: answer?.error ?? 'no answer' };
    served.set(probe.task, (served.get(probe.task) ?? new Map<string, ServedCheck>()).set(probe.site, check));
  });
  return served;
}

/** One TLS handshake per probe (address, SNI name), trust not checked: only which certificate is presented. */
const HANDSHAKES = `
import base64, json, socket, ssl, sys
out = []
for probe in json.loads(sys.argv[1]):
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection((probe["host"], 443), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname=probe["name"]) as tls:
                out.append({"der": base64.b64encode(tls.getpeercert(binary_form=True)).decode()})
    except Exception as error:
        out.append({"error": (type(error).__name__ + ": " + str(error))[:200]})
print(json.dumps(out))
`;
