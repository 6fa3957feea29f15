import { describe, expect, it } from 'vitest';
import { loadMonitoringConfig } from '../../../src/config/monitoring-config.js';
import { readWebhookUrl } from '../../../src/config/webhook-url.js';

const problem = (text: string) => {
  const read = readWebhookUrl(text);
  return 'problem' in read ? read.problem : undefined;
};

describe('readWebhookUrl', () => {
  it.each([
    'https://hooks.slack.com/services/T0/B0/XyZ',
    'http://receiver:8080/alerts',
    'http://alert_receiver/hook',
    'https://ntfy.sh/certkit-topic?priority=high',
    'http://192.0.2.10:9000/',
    'http://[2001:db8::1]:8080/hook',
    'https://xn--bcher-kva.de/hook',
    'HTTPS://Hooks.Example.ORG/x',
  ])('accepts %s', (text) => {
    expect(problem(text)).toBeUndefined();
  });

  it.each([
    ['ftp://hooks.widgets.eu/x', /is a ftp: URL; .* only http:\/\/ and https:\/\/ URLs work/],
    ['hooks.slack.com/services/x', /has no scheme; write the whole URL, starting with https:\/\//],
    ['//hooks.widgets.eu/x', /has no scheme/],
    ['mailto:ops@widgets.eu', /is a mailto: URL/],
    ['file:///etc/passwd', /is a file: URL/],
    ['javascript:alert(1)', /is a javascript: URL/],
    ['data:text/plain,hi', /is a data: URL/],
    ['https://', /has no host after https:\/\//],
    ['https:///path', /has no host/],
    ['https://hooks.widgets.eu:70000/x', /has the port 70000, outside 1-65535/],
    ['https://hooks.widgets.eu:0/x', /has the port 0, outside 1-65535/],
    ['https://hooks.widgets.eu:/x', /has a ":" after the host but no port/],
    ['http://[2001:db8::1:8080/x', /malformed host .* IPv6 address needs both brackets/],
    ['http://[not-v6]/x', /has "\[not-v6\]", which is not an IPv6 address/],
    ['https://user:secret@hooks.widgets.eu/x', /holds a user or password .* fetch refuses/],
    ['https://token@hooks.widgets.eu/x', /holds a user or password/],
    ['https://exa mple.com/x', /has the character " " in its host at position 4/],
    ['https://-hooks.widgets.eu/x', /whose label "-hooks" is empty, over 63 characters, or starts or ends with a hyphen/],
    ['https://hooks..widgets.eu/x', /whose label "" is empty/],
    ['https://999.1.1.1/x', /has "999.1.1.1", which is not an IPv4 address/],
    ['https://1.2.3/x', /has "1.2.3", which is not an IPv4 address/],
    ['https://xn--zz.widgets.eu/x', /"xn--zz" starts with xn-- but is not valid punycode/],
    ['https://hooks.widgets.eu:8080:9090/x', /malformed host/],
  ])('refuses %s', (text, message) => {
    expect(problem(text)).toMatch(message);
  });

  it('never quotes the URL in a problem: its path and query are the secret', () => {
    for (const text of ['ftp://h.widgets.eu/S3CRET', 'https://u:S3CRET@h.widgets.eu/', 'https://h.widgets.eu:99999/S3CRET']) {
      expect(problem(text)).not.toContain('S3CRET');
    }
  });

  it('loadMonitoringConfig names the position of each bad URL and where it was set', () => {
    expect(() => loadMonitoringConfig({ env: { CERTKIT_ALERT_WEBHOOK: 'https://ok.widgets.eu/a,mailto:x@widgets.eu' } })).toThrow(
      /CERTKIT_ALERT_WEBHOOK: URL number 2 is a mailto: URL.*\(from the environment\)/,
    );
  });
});
