import type { CertbotPlan, ExistingCertificate } from './plan-certbot-run.js';

/**
 * Whether a sweep starts certbot for this plan. A renewal certbot decides (certbot >= 4.0) by the rule certkit mirrors
 * (renewal-due.ts) is certain to do nothing while that rule says "not due": the plan then asks the CA for nothing
 * (`validates` is false). Such a certificate is left alone without a certbot process, so a sweep of a thousand sites
 * that are not due starts none. certbot still runs when a renewal conf sets its own threshold (`renew_before_expiry`,
 * which only certbot reads), and for every plan that issues, reissues, forces, renews when due, or is a dry run.
 */
export function certbotNeeded(plan: CertbotPlan, existing: ExistingCertificate | undefined): boolean {
  if (plan.action === 'keep') return false;
  if (plan.action !== 'renew' || plan.validates || plan.dryRun || plan.forceRenewal || !existing) return true;
  return existing.renewal?.renewBeforeExpiry !== undefined;
}
