import type { NginxContainer } from '../nginx/nginx-container.js';
import type { Site } from '../sites/site.js';
import type { Stack } from '../stack/find-stack.js';
import { lookAhead, type InitialLook } from './ensure-served.js';
import type { UpdateContext } from './update-context.js';

/** How many sites ahead a sweep asks nginx what it serves: enough to overlap the handshakes, few enough to stay polite. */
const LOOK_AHEAD = 16;

/**
 * nginx's answers (the serial per name, the stamp it runs) for the next sites of a sweep, asked while the current one
 * runs, so a sweep of sites with nothing to do does not wait for each handshake in turn. Forgotten at every reload.
 */
export class LookAhead {
  private readonly looks = new Map<number, InitialLook | undefined>();

  constructor(
    private readonly ctx: UpdateContext,
    private readonly stack: Stack,
    private readonly sites: readonly Site[],
  ) {}

  take(index: number): InitialLook | undefined {
    for (let next = index; next < Math.min(index + LOOK_AHEAD, this.sites.length); next += 1) {
      const site = this.sites[next];
      if (this.looks.has(next) || !site) continue;
      this.looks.set(next, lookAhead({ ...this.ctx, stack: this.stack, names: site.names }));
    }
    const look = this.looks.get(index);
    this.looks.delete(index);
    return look;
  }

  forget(): void {
    this.looks.clear();
  }
}

/**
 * What lets a sweep skip the handshakes of sites it changed nothing of, asked of nginx once (and again after a
 * reload): nginx runs the rendered configuration (its stamp: every site's files and links as rendered) and reads
 * the certificate at each handshake (so it presents the deployed bundle, whose serial the sweep compared with the
 * store). A thousand handshakes cost seconds on a small machine; these two questions cost one exec and one request.
 */
export class ServedAsDeployed {
  private facts: Promise<boolean> | undefined;

  constructor(
    private readonly ctx: UpdateContext,
    private readonly stack: Stack,
    private readonly nginx: NginxContainer,
    private readonly stamp: string,
  ) {}

  holds(): Promise<boolean> {
    this.facts ??= this.ask().catch(() => false);
    return this.facts;
  }

  forget(): void {
    this.facts = undefined;
  }

  private async ask(): Promise<boolean> {
    if (this.ctx.config.nginx.mode !== 'kit') return false;
    const look = lookAhead({ ...this.ctx, stack: this.stack, names: this.ctx.config.domains });
    if (!look) return false;
    const [loading, running] = await Promise.all([this.nginx.certificateLoading(), look.running]);
    return (loading === 'cached' || loading === 'handshake') && running.stamp === this.stamp;
  }
}
