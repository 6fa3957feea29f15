import type { ContainerEvent, Engine } from '../docker/engine.js';
import type { Logger } from '../log.js';
import { HOST_LABEL } from './site-labels.js';

/**
 * Watches labelled containers start, stop, die and go for the daemon's whole life, calling `onChange` for each; when
 * the engine ends the stream (it restarted), watches again after `retryMs`. Never throws: a failure is logged.
 */
export async function watchSiteContainers(input: {
  engine: Pick<Engine, 'watchContainerEvents'>;
  log: Logger;
  onChange: (event: ContainerEvent) => void;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  retryMs?: number;
}): Promise<void> {
  while (!input.signal.aborted) {
    try {
      await input.engine.watchContainerEvents(HOST_LABEL, input.onChange, input.signal);
    } catch (error) {
      input.log.warn(`could not watch labelled containers (${(error as Error).message}); sites change at the next check until it can`);
    }
    if (!input.signal.aborted) await input.sleep(input.retryMs ?? 5_000, input.signal);
  }
}
