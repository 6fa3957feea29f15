import type { CertbotContainer } from '../certbot/certbot-container.js';
import { planForcedReissue, type CertbotPlan } from '../certbot/plan-certbot-run.js';
import { isIpAddress } from '../config/ip-address.js';
import { CertkitError, isCertkitError } from '../errors.js';
import type { Stack } from '../stack/find-stack.js';
import { addressOnSharedNetwork } from '../stack/shared-network.js';
import { runDnsPreflight } from './dns-preflight.js';
import { pointPebbleDnsAt } from './pebble-dns.js';
import { runPreflight } from './preflight.js';
import type { UpdateContext, UpdateOptions } from './update-context.js';

/** Runs certbot as planned, after the checks that save the CA's rate limits (preflight, the DNS plugin). */
export async function runPlan(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  plan: CertbotPlan,
  options: UpdateOptions,
): Promise<void> {
  const challenge = ctx.config.challenge;
  // DNS-01 asks the DNS server the CA uses: there is neither an nginx to point the test CA's DNS at nor a webroot to try.
  if (challenge.type === 'dns') {
    if (plan.validates) await runDnsPreflight(certbot, challenge, ctx.config.trustedPlugins);
    return runCertbotPlan(ctx, certbot, plan, options);
  }
  const pebbleAddress = await challengeAddress(ctx, stack, options);
  // IP addresses are validated at the address itself; only DNS names need the test CA's DNS. Pointed once per sweep.
  if (pebbleAddress && ctx.config.domains.some((name) => !isIpAddress(name))) {
    const pointed = ctx.pebbleDnsPointed?.get(pebbleAddress) ?? pointPebbleDnsAt(certbot, pebbleAddress);
    ctx.pebbleDnsPointed?.set(pebbleAddress, pointed);
    try {
      await pointed;
    } catch (error) {
      ctx.pebbleDnsPointed?.delete(pebbleAddress);
      throw error;
    }
  }
  if (ctx.config.preflight && plan.validates) {
    const swept = ctx.preflighted?.get(ctx.config.certName);
    if (swept) await swept;
    else {
      ctx.log.info(`preflight: checking ${ctx.config.domains.join(', ')} reach this nginx`);
      await runPreflight(certbot, ctx.config.domains, pebbleAddress);
    }
  }
  await runCertbotPlan(ctx, certbot, plan, options);
}

async function runCertbotPlan(ctx: UpdateContext, certbot: CertbotContainer, plan: CertbotPlan, options: UpdateOptions): Promise<void> {
  try {
    await certbot.runCertbot(plan);
  } catch (error) {
    // Pebble keeps no state across restarts: its try-out accounts are disposable, so register anew and reissue.
    if (!(isCertkitError(error, 'CA_ACCOUNT_UNKNOWN') && ctx.config.server.name === 'pebble')) throw error;
    ctx.log.info("the local test CA was restarted and forgot certbot's account; registering a new one");
    await certbot.setAccountsAside(ctx.config.server.url, String(ctx.now().getTime()));
    await certbot.runCertbot(planForcedReissue(ctx.config, options));
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
