import { portProblem, serviceHostProblem } from './service-host.js';

/**
 * One alert webhook URL, or why certkit refuses it. Only http and https: fetch sends nothing else, and a `file:` or
 * `javascript:` URL in a secret-bearing setting is a mistake or worse. A host (a DNS name, a Compose service, an IPv4
 * address or an [IPv6] one), a port 1-65535, and no user or password: fetch refuses such a URL at the first alert,
 * and a password would sit in a URL that is copied around; receivers take their secret in the path or the query.
 * The problem never quotes the URL (a secret), only its scheme and host once they are known to be sound.
 */
export function readWebhookUrl(text: string): { url: URL } | { problem: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { problem: 'has no scheme; write the whole URL, starting with https://' };
  if (scheme !== 'http' && scheme !== 'https')
    return { problem: `is a ${scheme}: URL; alerts are sent as HTTP POSTs, so only http:// and https:// URLs work` };
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(text)?.[1];
  if (authority === undefined || authority === '') return { problem: `has no host after ${scheme}://` };
  if (authority.includes('@'))
    return {
      problem:
        'holds a user or password before "@": fetch refuses to send to such a URL, and the password would travel in every copy of .env and of the URL; put the receiver\'s token in its path or query, as Slack, Mattermost and ntfy do',
    };
  const hostPort = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d*))?$/.exec(authority);
  if (!hostPort) return { problem: 'has a malformed host (an IPv6 address needs both brackets, e.g. http://[2001:db8::1]:8080/)' };
  const host = (hostPort[1] as string).toLowerCase();
  const problem = serviceHostProblem(host) ?? portProblem(hostPort[2]);
  if (problem) return { problem };
  return URL.canParse(text) ? { url: new URL(text) } : { problem: 'is not a valid URL (check for spaces or stray characters)' };
}
