import type { ServiceContainer } from '../docker/engine.js';

/** `container`'s address on a network it shares with `peer` (the one way certkit works this out), else undefined. */
export function addressOnSharedNetwork(container: ServiceContainer, peer: ServiceContainer | undefined): string | undefined {
  if (!peer) return undefined;
  const shared = Object.keys(container.networks).find((network) => peer.networks[network] !== undefined);
  return shared ? container.networks[shared] : undefined;
}
