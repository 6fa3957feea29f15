import { describe, expect, it } from 'vitest';
import { mapInspect, type InspectJson } from '../../../src/docker/map-container.js';

/** Trimmed from `docker inspect` of a compose nginx service publishing 80 and 443 on all addresses. */
const NGINX_INSPECT: InspectJson = {
  Id: '4f1c0e2a9b7d',
  Name: '/shop-nginx-1',
  State: { Status: 'running', Running: true },
  Config: {
    Labels: {
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'nginx',
      'com.docker.compose.project.working_dir': '/srv/shop',
    },
  },
  NetworkSettings: {
    Networks: {
      shop_default: { IPAddress: '172.20.0.3' },
      shop_backend: { IPAddress: '172.21.0.5' },
      // A network the container is attached to but has no address on yet.
      shop_pending: { IPAddress: '' },
    },
    Ports: {
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '80' },
        { HostIp: '::', HostPort: '80' },
      ],
      '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }],
      '443/udp': null,
      '8080/tcp': null,
    },
  },
};

describe('mapInspect', () => {
  it('maps a running compose container with its networks and published ports', () => {
    expect(mapInspect(NGINX_INSPECT)).toEqual({
      id: '4f1c0e2a9b7d',
      name: 'shop-nginx-1',
      project: 'shop',
      service: 'nginx',
      running: true,
      state: 'running',
      networks: { shop_default: '172.20.0.3', shop_backend: '172.21.0.5' },
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 80 },
        { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 80 },
        { containerPort: 443, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8443 },
      ],
      labels: NGINX_INSPECT.Config?.Labels,
    });
  });

  it('maps a stopped container without labels, networks or ports', () => {
    const json: InspectJson = {
      Id: 'abc',
      State: { Status: 'exited', Running: false },
      Config: { Labels: null },
      NetworkSettings: { Networks: null, Ports: null },
    };
    expect(mapInspect(json)).toEqual({
      id: 'abc',
      name: '',
      project: undefined,
      service: undefined,
      running: false,
      state: 'exited',
      networks: {},
      ports: [],
      labels: {},
    });
  });

  it('maps the bare minimum (an Id) without failing', () => {
    expect(mapInspect({ Id: 'abc' })).toMatchObject({ id: 'abc', running: false, state: 'unknown', networks: {}, ports: [] });
  });

  it('reads a binding without a host address or port as unpublished', () => {
    const container = mapInspect({ Id: 'abc', NetworkSettings: { Ports: { '443/tcp': [{}] } } });
    expect(container.ports).toEqual([{ containerPort: 443, protocol: 'tcp', hostIp: '', hostPort: 0 }]);
  });
});
