import { describe, expect, it } from 'vitest';
import { mapService, mapTask, parseServiceEvent, updatedSpec } from '../../../src/swarm/map-swarm.js';

describe('parseServiceEvent', () => {
  const line = (type: string, action: string, name: string) =>
    JSON.stringify({ Type: type, Action: action, Actor: { ID: 'x', Attributes: { name } } });

  it("keeps the creation, update and removal of the stack's services", () => {
    expect(parseServiceEvent(line('service', 'update', 'shop_nginx'), 'shop')).toEqual({ action: 'update', name: 'shop_nginx' });
    expect(parseServiceEvent(line('service', 'create', 'shop_app'), 'shop')).toEqual({ action: 'create', name: 'shop_app' });
    expect(parseServiceEvent(line('service', 'remove', 'shop_app'), 'shop')).toEqual({ action: 'remove', name: 'shop_app' });
  });

  it("drops other stacks' services (a name that only starts alike too), other types and actions, and junk", () => {
    expect(parseServiceEvent(line('service', 'update', 'shopping_nginx'), 'shop')).toBeUndefined();
    expect(parseServiceEvent(line('container', 'start', 'shop_nginx.1.x'), 'shop')).toBeUndefined();
    expect(parseServiceEvent(line('service', 'exec_start', 'shop_nginx'), 'shop')).toBeUndefined();
    expect(parseServiceEvent('{"Type": "serv', 'shop')).toBeUndefined();
  });
});

describe('mapTask', () => {
  it('reads the secrets, configs and addresses by network (without the prefix length)', () => {
    const view = mapTask(
      {
        ID: 't1',
        NodeID: 'n1',
        Slot: 2,
        DesiredState: 'running',
        Status: { State: 'running', Message: 'started', ContainerStatus: { ContainerID: 'c1' } },
        Spec: { ContainerSpec: { Secrets: [{ SecretID: 's1' }], Configs: [{ ConfigID: 'k1' }, { ConfigID: 'k2' }] } },
        NetworksAttachments: [
          { Network: { Spec: { Name: 'shop_default' } }, Addresses: ['10.0.1.5/24'] },
          { Network: { Spec: { Name: 'ingress' } }, Addresses: [] },
        ],
      },
      'svc',
    );
    expect(view).toMatchObject({ id: 't1', serviceId: 'svc', slot: 2, secretIds: ['s1'], configIds: ['k1', 'k2'], containerId: 'c1' });
    expect(view.addresses).toEqual({ shop_default: '10.0.1.5' });
  });
});

describe('mapService', () => {
  it('says whether the service is global, with its placement constraints', () => {
    const service = (mode: object, constraints?: string[]) =>
      mapService(
        // As Swarm's inspect gives it (dockerode types the service as its handle).
        {
          ID: 's1',
          Spec: {
            Name: 'st_nginx',
            Mode: mode,
            TaskTemplate: { ContainerSpec: {}, ...(constraints ? { Placement: { Constraints: constraints } } : {}) },
          },
        } as unknown as Parameters<typeof mapService>[0],
        'st_nginx',
      );
    expect(service({ Global: {} }, ['node.role == worker'])).toMatchObject({
      global: true,
      replicas: undefined,
      constraints: ['node.role == worker'],
    });
    expect(service({ Replicated: { Replicas: 2 } })).toMatchObject({ global: false, replicas: 2, constraints: [] });
  });
});

describe('updatedSpec', () => {
  it("supersedes a held update by the service's certkit.rollout label alone, the tasks' spec as it was", () => {
    const service = {
      id: 's1',
      name: 'st_nginx',
      version: 7,
      replicas: undefined,
      secrets: [],
      updateState: 'updating' as const,
      updateMessage: undefined,
      spec: { Name: 'st_nginx', Labels: { 'com.docker.stack.namespace': 'st' }, TaskTemplate: { ContainerSpec: { Image: 'nginx' } } },
    };
    const plain = updatedSpec(service, { monitorMs: 3_000 });
    const superseding = updatedSpec(service, { monitorMs: 3_000, supersede: '2026-12-03T21:32:33.000Z' });
    expect(plain.Labels).toEqual({ 'com.docker.stack.namespace': 'st' });
    expect(superseding.Labels).toEqual({ 'com.docker.stack.namespace': 'st', 'certkit.rollout': '2026-12-03T21:32:33.000Z' });
    expect(superseding.TaskTemplate).toEqual(plain.TaskTemplate);
  });
});
