import type { PublishedPort, ServiceContainer } from './engine.js';
import { COMPOSE_LABELS } from './engine.js';

/** The parts of `GET /containers/{id}/json` certkit reads. */
export interface InspectJson {
  Id: string;
  Name?: string;
  State?: { Status?: string; Running?: boolean; StartedAt?: string };
  Config?: { Labels?: Record<string, string> | null };
  NetworkSettings?: {
    Networks?: Record<string, { IPAddress?: string }> | null;
    Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  };
}

export function mapInspect(json: InspectJson): ServiceContainer {
  const labels = json.Config?.Labels ?? {};
  return {
    id: json.Id,
    name: (json.Name ?? '').replace(/^\//, ''),
    project: labels[COMPOSE_LABELS.project],
    service: labels[COMPOSE_LABELS.service],
    running: json.State?.Running === true,
    state: json.State?.Status ?? 'unknown',
    ...(json.State?.StartedAt ? { startedAt: json.State.StartedAt } : {}),
    networks: mapNetworks(json.NetworkSettings?.Networks ?? {}),
    ports: mapPorts(json.NetworkSettings?.Ports ?? {}),
    labels,
  };
}

function mapNetworks(networks: Record<string, { IPAddress?: string }>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(networks)
      .filter(([, settings]) => settings.IPAddress)
      .map(([name, settings]) => [name, settings.IPAddress as string]),
  );
}

function mapPorts(ports: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>): PublishedPort[] {
  return Object.entries(ports).flatMap(([key, bindings]) => {
    const [port = '0', protocol = 'tcp'] = key.split('/');
    return (bindings ?? []).map((binding) => ({
      containerPort: Number(port),
      protocol,
      hostIp: binding.HostIp ?? '',
      hostPort: Number(binding.HostPort ?? 0),
    }));
  });
}

/** The parts of an entry of `GET /containers/json` certkit reads. */
export interface SummaryJson {
  Id: string;
  Names?: string[];
  State?: string;
  Labels?: Record<string, string> | null;
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> | null } | null;
  Ports?: Array<{ PrivatePort?: number; PublicPort?: number; IP?: string; Type?: string }> | null;
}

export function mapSummary(json: SummaryJson): ServiceContainer {
  const labels = json.Labels ?? {};
  const ports = json.Ports ?? [];
  const tcp = ports.filter((port) => (port.Type ?? 'tcp') === 'tcp' && port.PrivatePort !== undefined);
  return {
    id: json.Id,
    name: (json.Names?.[0] ?? json.Id).replace(/^\//, ''),
    project: labels[COMPOSE_LABELS.project],
    service: labels[COMPOSE_LABELS.service],
    running: json.State === 'running',
    state: json.State ?? 'unknown',
    networks: mapNetworks(json.NetworkSettings?.Networks ?? {}),
    ports: ports
      .filter((port) => port.PublicPort !== undefined && port.PrivatePort !== undefined)
      .map((port) => ({
        containerPort: port.PrivatePort as number,
        protocol: port.Type ?? 'tcp',
        hostIp: port.IP ?? '',
        hostPort: port.PublicPort as number,
      })),
    exposedPorts: [...new Set(tcp.map((port) => port.PrivatePort as number))].sort((a, b) => a - b),
    labels,
  };
}
