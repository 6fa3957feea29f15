import { describe, expect, it } from 'vitest';
import { parseCertbotFailure } from '../../../src/certbot/parse-certbot-failure.js';

const RATE_LIMITED = `Saving debug log to /var/log/letsencrypt/letsencrypt.log
Requesting a certificate for example.com
An unexpected error occurred:
Error creating new order :: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-11-22 10:00:00 UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers
Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.
`;

const VALIDATION = `Saving debug log to /var/log/letsencrypt/letsencrypt.log
Requesting a certificate for example.com and www.example.com

Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:
  Domain: www.example.com
  Type:   unauthorized
  Detail: 203.0.113.7: Invalid response from http://www.example.com/.well-known/acme-challenge/abc: 404

  Domain: example.com
  Type:   dns
  Detail: DNS problem: NXDOMAIN looking up A for example.com - check that a DNS record exists for this domain

Hint: The Certificate Authority failed to download the temporary challenge files created by Certbot. Ensure that the listed domains serve their content from the provided --webroot-path/-w and that files created there can be downloaded from the internet.

Some challenges have failed.
Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.
`;

const LOCKED = `Another instance of Certbot is already running.
Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.
`;

describe('a rate limit', () => {
  const failure = parseCertbotFailure(RATE_LIMITED);

  it('is recognised, with the time the CA says to retry after', () => {
    expect(failure.kind).toBe('rate-limited');
    expect(failure.retryAfter).toEqual(new Date('2026-11-22T10:00:00Z'));
  });

  it("keeps the CA's own words", () => {
    expect(failure.detail).toEqual(['An unexpected error occurred:', expect.stringContaining('too many certificates (5) already issued')]);
  });

  it('is recognised from the ACME error type alone, without a retry time', () => {
    const bare = parseCertbotFailure('Error: urn:ietf:params:acme:error:rateLimited :: too many new orders recently');
    expect(bare.kind).toBe('rate-limited');
    expect(bare.retryAfter).toBeUndefined();
  });

  it('reads an ISO retry time too', () => {
    expect(parseCertbotFailure('too many failed authorizations recently, retry after 2026-11-22T10:00:00Z').retryAfter).toEqual(
      new Date('2026-11-22T10:00:00Z'),
    );
  });
});

describe('a validation failure', () => {
  const failure = parseCertbotFailure(VALIDATION);

  it('is recognised', () => {
    expect(failure.kind).toBe('validation');
    expect(failure.retryAfter).toBeUndefined();
  });

  it('keeps the Domain, Type, Detail and Hint lines of every name, trimmed, in order', () => {
    expect(failure.detail).toEqual([
      'Domain: www.example.com',
      'Type:   unauthorized',
      'Detail: 203.0.113.7: Invalid response from http://www.example.com/.well-known/acme-challenge/abc: 404',
      'Domain: example.com',
      'Type:   dns',
      'Detail: DNS problem: NXDOMAIN looking up A for example.com - check that a DNS record exists for this domain',
      expect.stringMatching(/^Hint: The Certificate Authority failed to download/),
    ]);
  });
});

describe('another certbot running', () => {
  it('is a lock failure, whatever else the output says', () => {
    const failure = parseCertbotFailure(LOCKED);
    expect(failure.kind).toBe('lock');
    expect(failure.detail).toEqual(['Another instance of Certbot is already running.']);
  });
});

describe('anything else', () => {
  it('is "other", with the last lines of output as detail when nothing stands out', () => {
    const output = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', ''].join('\r\n');
    expect(parseCertbotFailure(output)).toEqual({
      kind: 'other',
      detail: ['line 2', 'line 3', 'line 4', 'line 5', 'line 6'],
      retryAfter: undefined,
    });
  });

  it('keeps the error certbot prints after "An unexpected error occurred:", and drops repeats', () => {
    const output = [
      'Saving debug log to /var/log/letsencrypt/letsencrypt.log',
      'An unexpected error occurred:',
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pebble', port=14000): Max retries exceeded",
      'An unexpected error occurred:',
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pebble', port=14000): Max retries exceeded",
      'Ask for help or search for solutions at https://community.letsencrypt.org.',
    ].join('\n');
    const failure = parseCertbotFailure(output);
    expect(failure.kind).toBe('other');
    expect(failure.detail).toEqual([
      'An unexpected error occurred:',
      expect.stringMatching(/^requests\.exceptions\.ConnectionError: HTTPSConnectionPool\(host='pebble'/),
    ]);
  });

  it('recognises a profile the CA does not offer', () => {
    const failure = parseCertbotFailure(
      'An unexpected error occurred:\nurn:ietf:params:acme:error:invalidProfile :: Order includes unrecognized profile name "sixday"',
    );
    expect(failure.kind).toBe('profile');
    expect(failure.detail).toContain('urn:ietf:params:acme:error:invalidProfile :: Order includes unrecognized profile name "sixday"');
  });

  it('recognises a missing account', () => {
    expect(parseCertbotFailure('Error: urn:ietf:params:acme:error:accountDoesNotExist :: Account not found').kind).toBe('account');
  });

  it('returns no detail for empty output', () => {
    expect(parseCertbotFailure('')).toEqual({ kind: 'other', detail: [], retryAfter: undefined });
  });
});

describe('a damaged store (hand-made copies or hardlinks in live/)', () => {
  it.each([
    [
      'renew',
      'Renewal configuration file /etc/letsencrypt/renewal/shop.test.conf is broken.\nThe error was: expected /etc/letsencrypt/live/shop.test/cert.pem to be a symlink\nSkipping.\n0 renew failure(s), 1 parse failure(s)',
    ],
    [
      'certonly',
      'Saving debug log to /var/log/letsencrypt/letsencrypt.log\nAn unexpected error occurred:\nlive directory exists for shop.test\nAsk for help or search for solutions at https://community.letsencrypt.org.',
    ],
    ['a raw storage error', 'certbot.errors.CertStorageError: expected /etc/letsencrypt/live/shop.test/privkey.pem to be a symlink'],
  ])('is recognised from %s output, keeping the line that says what is wrong', (_, output) => {
    const failure = parseCertbotFailure(output);
    expect(failure.kind).toBe('store');
    expect(failure.detail.join('\n')).toMatch(/to be a symlink|live directory exists/);
  });
});
