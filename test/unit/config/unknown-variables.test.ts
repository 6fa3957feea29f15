import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/config/read-env-file.js';
import { KNOWN_VARIABLES, unknownVariableWarnings } from '../../../src/config/unknown-variables.js';
import { closestName, editDistance } from '../../../src/config/closest-name.js';

const fileWith = (...lines: string[]) => parseEnvFile('.env', `${lines.join('\n')}\n`);

describe('unknownVariableWarnings', () => {
  it.each([
    ['CERTBOT_DOMIAN', 'CERTBOT_DOMAIN'],
    ['CERTBOT_DOMAINS', 'CERTBOT_DOMAIN'],
    ['CERTBOT_EMIAL', 'CERTBOT_EMAIL'],
    ['CERTBOT_OPTION', 'CERTBOT_OPTIONS'],
    ['certbot_server', 'CERTBOT_SERVER'],
    ['NGINX_HTTPS_POR', 'NGINX_HTTPS_PORT'],
    ['NGNIX_UPSTREAM', 'NGINX_UPSTREAM'],
    ['CERTKIT_DEPLOY_MDOE', 'CERTKIT_DEPLOY_MODE'],
    ['CERTBOT_KEYTYPE', 'CERTBOT_KEY_TYPE'],
    ['COMPOSE_PROJECT_NAM', 'COMPOSE_PROJECT_NAME'],
  ])('warns that %s is ignored and names %s', (typo, meant) => {
    const warnings = unknownVariableWarnings({ env: {}, file: fileWith('CERTBOT_DOMAIN=widgets.eu', `${typo}=x`) });
    expect(warnings).toEqual([`${typo} (.env line 2) is not a setting certkit knows, so it is ignored; did you mean ${meant}? Rename it.`]);
  });

  it('warns about a kit-prefixed name close to nothing, pointing at .env.example', () => {
    expect(unknownVariableWarnings({ env: {}, file: fileWith('CERTKIT_FROBNICATE=1') })).toEqual([
      'CERTKIT_FROBNICATE (.env line 1) is not a setting certkit knows, so it is ignored; .env.example lists every setting.',
    ]);
  });

  it('says nothing about known names, unrelated names, or unrelated environment variables', () => {
    const file = fileWith(...KNOWN_VARIABLES.map((key) => `${key}=`), 'MY_APP_SECRET=1', 'TZ=UTC');
    expect(unknownVariableWarnings({ env: { PATH: '/bin', HOME: '/root', LANG: 'C' }, file })).toEqual([]);
  });

  it('checks kit-prefixed environment variables too', () => {
    expect(unknownVariableWarnings({ env: { CERTBOT_DOMIAN: 'x' } })).toEqual([
      'CERTBOT_DOMIAN (from the environment) is not a setting certkit knows, so it is ignored; did you mean CERTBOT_DOMAIN? Rename it.',
    ]);
  });
});

describe('closestName', () => {
  it('measures edits and keeps to near names', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('--frobnicate', ['--force-renewal', '--agree-tos'])).toBeUndefined();
  });
});
