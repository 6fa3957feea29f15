import { describe, expect, it } from 'vitest';
import { parseContainerEvent } from '../../../src/docker/container-events.js';

describe('parseContainerEvent', () => {
  const id = 'f'.repeat(64);

  it('reads a container event of the current API (Action, Actor) and of the old one (status, id)', () => {
    expect(
      parseContainerEvent(JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { name: 'app-web-1' } } })),
    ).toEqual({
      action: 'start',
      id,
      name: 'app-web-1',
    });
    expect(parseContainerEvent(JSON.stringify({ status: 'die', id }))).toEqual({ action: 'die', id, name: id.slice(0, 12) });
  });

  it('leaves out other kinds of events and lines that are not JSON', () => {
    expect(parseContainerEvent(JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: id } }))).toBeUndefined();
    expect(parseContainerEvent('{"Type":"container",')).toBeUndefined();
  });
});
