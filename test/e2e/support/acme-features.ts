import { inject } from 'vitest';
import { runCommand } from './docker-cli.js';
import { writePebbleFile, type TestStack } from './stack.js';

/** Which stand-in stack this e2e project runs on: `current` (certbot 5.5, Pebble 2.10) or `legacy` (certbot 2.1, Pebble 2.4). */
export function stackKind(): 'current' | 'legacy' {
  return inject('stack');
}

const DAY = 86_400;

/**
 * Let's Encrypt's profiles, as Pebble profiles with these validities (seconds). With several profiles and none
 * requested, Pebble picks one at random per order, so every test that uses this config sets CERTBOT_PROFILE.
 */
export function letsEncryptProfiles(overrides: Record<string, number> = {}): Record<string, number> {
  return { classic: 90 * DAY, tlsserver: 45 * DAY, shortlived: 160 * 3600, ...overrides };
}

/** Replaces the stack's Pebble config (before `up`) with one offering these profiles. */
export async function writePebbleProfiles(stack: TestStack, profiles: Record<string, number>): Promise<void> {
  await writePebbleFile(stack.dir, {
    profiles: Object.fromEntries(
      Object.entries(profiles).map(([name, seconds]) => [name, { description: `e2e ${name}`, validityPeriod: seconds }]),
    ),
  });
}

/** Starts the stack without the certkit daemon, so a test drives `certkit update` itself. */
export async function upWithoutDaemon(stack: TestStack): Promise<void> {
  const result = await stack.compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
  if (result.code !== 0) throw new Error(`compose up failed:\n${result.stderr}`);
}

const SET_WINDOW = `
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
pem, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
body = json.dumps({"Certificate": pem, "ARIResponse": json.dumps({"suggestedWindow": {"start": start, "end": end}})}).encode()
req = urllib.request.Request("https://pebble:15000/set-renewal-info/", data=body, method="POST")
print(urllib.request.urlopen(req, context=ctx, timeout=10).status)
`;

/** Moves the renewal window Pebble announces (ARI) for one certificate, through its management API. */
export async function setRenewalWindow(stack: TestStack, certificatePem: string, start: Date, end: Date): Promise<void> {
  const result = await stack.exec('certbot', ['python3', '-c', SET_WINDOW, certificatePem, start.toISOString(), end.toISOString()]);
  if (result.code !== 0 || result.stdout.trim() !== '200')
    throw new Error(`could not set Pebble's renewal window: ${result.stderr || result.stdout}`);
}

/** A service's address on the compose project's default network (the one nginx shares with Pebble). */
export async function serviceAddress(stack: TestStack, service: string): Promise<string> {
  const id = await stack.containerId(service);
  const result = await runCommand('docker', [
    'inspect',
    '--format',
    `{{(index .NetworkSettings.Networks "${stack.project}_default").IPAddress}}`,
    id,
  ]);
  const address = result.stdout.trim();
  if (result.code !== 0 || address === '') throw new Error(`no address for ${service} on ${stack.project}_default: ${result.stderr}`);
  return address;
}
