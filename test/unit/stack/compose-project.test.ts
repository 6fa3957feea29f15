import { describe, expect, it } from 'vitest';
import { normalizeProjectName, resolveProjectName } from '../../../src/stack/compose-project.js';

describe('normalizeProjectName', () => {
  it.each([
    ['My_App.v2', 'my_appv2'],
    ['certkit', 'certkit'],
    ['  Spaced Name  ', 'spacedname'],
    ['_-leading', 'leading'],
    ['über-app', 'ber-app'],
    ['...', ''],
  ])('normalizes %j as docker compose does: %j', (raw, name) => {
    expect(normalizeProjectName(raw)).toBe(name);
  });
});

describe('resolveProjectName', () => {
  const all = { explicit: 'Explicit', env: { COMPOSE_PROJECT_NAME: 'FromEnv' }, envFileValue: 'FromFile', projectDir: '/srv/My_App.v2' };

  it('prefers --project-name', () => {
    expect(resolveProjectName(all)).toEqual({ name: 'explicit', source: '--project-name' });
  });

  it('then COMPOSE_PROJECT_NAME from the environment', () => {
    expect(resolveProjectName({ ...all, explicit: undefined })).toEqual({
      name: 'fromenv',
      source: 'COMPOSE_PROJECT_NAME in the environment',
    });
  });

  it('then COMPOSE_PROJECT_NAME from .env', () => {
    expect(resolveProjectName({ ...all, explicit: undefined, env: {} })).toEqual({
      name: 'fromfile',
      source: 'COMPOSE_PROJECT_NAME in .env',
    });
  });

  it("then the project folder's name, normalized", () => {
    expect(resolveProjectName({ env: {}, projectDir: '/srv/My_App.v2' })).toEqual({
      name: 'my_appv2',
      source: 'the folder name of /srv/My_App.v2',
    });
  });

  it('skips blank values and values that normalize to nothing', () => {
    expect(resolveProjectName({ explicit: '  ', env: { COMPOSE_PROJECT_NAME: '' }, envFileValue: '...', projectDir: '/srv/app' })).toEqual({
      name: 'app',
      source: 'the folder name of /srv/app',
    });
  });

  it('gives up when nothing yields a name', () => {
    expect(resolveProjectName({ env: {}, projectDir: '/' })).toBeUndefined();
  });
});
