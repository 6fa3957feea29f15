import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_VARIABLES } from '../../../src/config/unknown-variables.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Every setting the kit documents or reads must be known, or a correct .env line would warn as a misspelling. */
describe('KNOWN_VARIABLES', () => {
  const known = new Set(KNOWN_VARIABLES);

  it('holds every variable .env.example sets', () => {
    const set = [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
    expect(set.filter((name) => !known.has(name))).toEqual([]);
  });

  it('holds every variable the compose files substitute', () => {
    const files = readdirSync(ROOT).filter((name) => /^(docker-)?compose.*\.ya?ml$/.test(name));
    const used = files.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]+)/g)].map((m) => m[1] as string),
    );
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });
});
