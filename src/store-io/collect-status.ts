import type { Engine, ServiceContainer } from '../docker/engine.js';
import { chooseProbeTarget } from '../nginx/probe-target.js';
import { probeTls } from '../nginx/tls-probe.js';
import { analyzeStore } from '../store/analyze-store.js';
import { buildStatusEntries, type StatusEntry } from '../store/status-entries.js';
import type { StoreSource } from './store-source.js';

/** `certkit status`: the store read directly (no certbot process, no lock), the deploy folder, and nginx. */
export async function collectStatus(input: {
  source: StoreSource;
  now: Date;
  /** When given, nginx is probed for each deployed certificate's first name (service: CERTKIT_NGINX_SERVICE, default nginx). */
  nginx?: { engine: Engine; project: string; self: ServiceContainer | undefined; service?: string | undefined };
}): Promise<StatusEntry[]> {
  const [snapshot, deployed] = await Promise.all([input.source.readSnapshot(), input.source.readDeployedSerials()]);
  const reports = analyzeStore(snapshot, { now: input.now });
  const served = new Map<string, string | null>();
  if (input.nginx && deployed) {
    const [nginx] = await input.nginx.engine.listContainers({ project: input.nginx.project, service: input.nginx.service ?? 'nginx' });
    const target = nginx?.running ? chooseProbeTarget(nginx, input.nginx.self) : undefined;
    if (target) {
      await Promise.all(
        reports
          .filter((report) => deployed.has(report.name) && report.domains[0])
          .map(async (report) => {
            const info = await probeTls({ ...target, servername: report.domains[0] as string, timeoutMs: 3_000 }).catch(() => undefined);
            served.set(report.name, info?.serial ?? null);
          }),
      );
    }
  }
  return buildStatusEntries(reports, deployed, served);
}
