import { describe, expect, it } from 'vitest';
import { linkBatch } from '../../../src/update/batch-links.js';
import type { PendingSite } from '../../../src/update/serve-plan.js';

const env: PendingSite = { id: 'widgets.eu', names: ['widgets.eu'], serial: 'E2', changed: true, relinked: false, selects: true };
const shop: PendingSite = { id: 'shop', names: ['shop.eu'], serial: 'S1', changed: true, relinked: false };
const refusal = (what: string) => new Error(`nginx refused the ${what}`);

/** An nginx whose `select https` and `sites` answer as told, recording what was run. */
function nginx(answers: { select?: Error; sites?: Error; staged?: string[] }) {
  const ran: string[] = [];
  return {
    ran,
    async selectWithSites(mode: string) {
      ran.push(`select ${mode}`);
      if (answers.select) throw answers.select;
      return { chosen: 'https' as const, relinked: answers.staged ?? [] };
    },
    async linkSites() {
      ran.push('sites');
      if (answers.sites) throw answers.sites;
      return answers.staged ?? [];
    },
  };
}

const noLoading = async () => undefined;

describe("the batch's links and the .env site's selection", () => {
  it('the .env site reloading for HTTPS: its select links the others too, one nginx -t for both', async () => {
    const fake = nginx({ staged: ['shop'] });
    const linked = await linkBatch(fake, [env, shop], new Map([['widgets.eu', undefined]]), noLoading);
    expect(fake.ran).toEqual(['select https']);
    expect(linked).toEqual({ relinked: new Set(['shop']), selected: true });
  });

  it('its select refused: the links are made alone, and the .env site alone carries the refusal', async () => {
    const error = refusal('https configuration');
    const fake = nginx({ select: error, staged: ['shop'] });
    const linked = await linkBatch(fake, [env, shop], new Map(), noLoading);
    expect(fake.ran).toEqual(['select https', 'sites']);
    expect(linked).toEqual({ relinked: new Set(['shop']), refused: new Map([['widgets.eu', error]]) });
  });

  it('the links themselves refused: the error every site to reload fails with, not the .env site alone', async () => {
    const error = refusal("sites' configuration");
    const fake = nginx({ select: refusal('https configuration'), sites: error });
    const linked = await linkBatch(fake, [env, shop], new Map(), noLoading);
    expect(linked).toEqual({ relinked: new Set(), error });
  });

  it('the .env site already served (or absent): the links alone, no select', async () => {
    const fake = nginx({ staged: ['shop'] });
    expect(await linkBatch(fake, [{ ...env, changed: false }, shop], new Map([['widgets.eu', 'E2']]), noLoading)).toEqual({
      relinked: new Set(['shop']),
      refused: undefined,
    });
    expect(await linkBatch(fake, [shop], new Map(), noLoading)).toEqual({ relinked: new Set(['shop']), refused: undefined });
    expect(fake.ran).toEqual(['sites', 'sites']);
  });
});
