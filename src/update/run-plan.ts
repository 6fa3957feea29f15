import type { CertbotContainer } from '../certbot/certbot-container.js';
import { planForcedReissue, type CertbotPlan } from '../certbot/plan-certbot-run.js';
import type { Config } from '../config/config.js';
import { isIpAddress } from '../config/ip-address.js';
import { CertkitError, isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Stack } from '../stack/find-stack.js';
import { addressOnSharedNetwork } from '../stack/shared-network.js';
import { COMPOSE_CERTBOT_FIXES, runDnsPreflight, type CertbotFixes } from './dns-preflight.js';
import { pointPebbleDnsAt } from './pebble-dns.js';
import { runPreflight } from './preflight.js';
import type { UpdateContext, UpdateOptions } from './update-context.js';

/**
 * What a certbot run needs around it, whichever way the stack is deployed: Compose (runPlan below) or Swarm
 * (src/swarm/swarm-site.ts) differ only in how nginx is found for the test CA's DNS and in the certbot argv.
 */
export interface CheckedRun {
  config: Config;
  certbot: CertbotContainer;
  log: Logger;
  now: () => Date;
  /** An address of nginx the certbot container reaches, for the local test CA's DNS (CERTBOT_SERVER=pebble only). */
  nginxAddressForPebble: () => Promise<string>;
  /** The test CA's DNS pointed at nginx once per sweep, by address (Compose: nginx's address does not move in a sweep). */
  pebbleDnsPointed?: Map<string, Promise<void>>;
  /** Each site's share of a sweep's one preflight, by certificate name (Compose sweeps; absent: checked alone). */
  preflighted?: Map<string, Promise<void>>;
  /** The certbot argv as this deployment runs it (Swarm: without the deploy hook). */
  argv?: (argv: readonly string[]) => string[];
  /** How to recreate or remount certbot, named in the DNS preflight's fixes. */
  fixes?: CertbotFixes;
}

/** Runs certbot as planned, after the checks that save the CA's rate limits (preflight, the DNS plugin). */
export function runPlan(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  plan: CertbotPlan,
  options: UpdateOptions,
): Promise<void> {
  return runCheckedPlan(
    {
      ...ctx,
      certbot,
      // Asked once per sweep where the sweep keeps the answer (ctx.pebbleAddress).
      nginxAddressForPebble: async () => (await challengeAddress(ctx, stack, options)) ?? nginxAddressForPebble(ctx, stack),
      fixes: COMPOSE_CERTBOT_FIXES,
    },
    plan,
    options,
  );
}

/**
 * The checks, then certbot: DNS-01 checks the plugin and its credentials in the certbot container; HTTP-01 points the
 * test CA's DNS at nginx and proves each name reaches nginx's challenge path (CERTKIT_PREFLIGHT). A failed check
 * throws before the CA is asked, for this site alone.
 */
export async function runCheckedPlan(
  run: CheckedRun,
  plan: CertbotPlan,
  options: Pick<UpdateOptions, 'staging' | 'dryRun'>,
): Promise<void> {
  const { config, certbot } = run;
  const challenge = config.challenge;
  // DNS-01 asks the DNS server the CA uses: there is neither an nginx to point the test CA's DNS at nor a webroot to try.
  if (challenge.type === 'dns') {
    if (plan.validates) await runDnsPreflight(certbot, challenge, config.trustedPlugins, run.fixes);
    return runCertbotPlan(run, plan, options);
  }
  const pebbleAddress = config.server.name === 'pebble' && !options.staging ? await run.nginxAddressForPebble() : undefined;
  // IP addresses are validated at the address itself; only DNS names need the test CA's DNS. Pointed once per sweep.
  if (pebbleAddress && config.domains.some((name) => !isIpAddress(name))) {
    const pointed = run.pebbleDnsPointed?.get(pebbleAddress) ?? pointPebbleDnsAt(certbot, pebbleAddress);
    run.pebbleDnsPointed?.set(pebbleAddress, pointed);
    try {
      await pointed;
    } catch (error) {
      run.pebbleDnsPointed?.delete(pebbleAddress);
      throw error;
    }
  }
  if (config.preflight && plan.validates) {
    // A sweep checks its due sites' names in one run (certify-sweep.ts): this site's share of it, when it had one.
    const swept = run.preflighted?.get(config.certName);
    if (swept) await swept;
    else {
      run.log.info(`preflight: checking ${config.domains.join(', ')} reach this nginx`);
      await runPreflight(certbot, config.domains, pebbleAddress);
    }
  }
  await runCertbotPlan(run, plan, options);
}

async function runCertbotPlan(run: CheckedRun, plan: CertbotPlan, options: Pick<UpdateOptions, 'dryRun'>): Promise<void> {
  const argv = run.argv ?? ((words: readonly string[]) => [...words]);
  try {
    await run.certbot.runCertbot({ ...plan, argv: argv(plan.argv) });
  } catch (error) {
    // Pebble keeps no state across restarts: its try-out accounts are disposable, so register anew and reissue.
    if (!(isCertkitError(error, 'CA_ACCOUNT_UNKNOWN') && run.config.server.name === 'pebble')) throw error;
    run.log.info("the local test CA was restarted and forgot certbot's account; registering a new one");
    await run.certbot.setAccountsAside(run.config.server.url, String(run.now().getTime()));
    const reissue = planForcedReissue(run.config, options);
    await run.certbot.runCertbot({ ...reissue, argv: argv(reissue.argv) });
  }
}

/**
 * Where the test CA (CERTBOT_SERVER=pebble) validates: nginx's address on a network it shares with Pebble, asked once
 * per sweep (ctx.pebbleAddress); undefined for any other CA (its names' own DNS).
 */
export function challengeAddress(ctx: UpdateContext, stack: Stack, options: UpdateOptions): Promise<string | undefined> {
  if (ctx.config.server.name !== 'pebble' || options.staging) return Promise.resolve(undefined);
  const memo = ctx.pebbleAddress;
  if (!memo) return nginxAddressForPebble(ctx, stack);
  if (!memo.asked) {
    const asked = nginxAddressForPebble(ctx, stack);
    memo.asked = asked;
    asked.catch(() => {
      if (memo.asked === asked) memo.asked = undefined;
    });
  }
  return memo.asked;
}

async function nginxAddressForPebble(ctx: UpdateContext, stack: Stack): Promise<string> {
  const [pebble] = await ctx.engine.listContainers({ project: ctx.project, service: 'pebble' });
  const address = addressOnSharedNetwork(stack.nginx, pebble);
  if (!address) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      'CERTBOT_SERVER=pebble, but no pebble container shares a network with nginx: start the stack with `docker compose --profile certbot --profile pebble up -d`.',
    );
  }
  return address;
}
