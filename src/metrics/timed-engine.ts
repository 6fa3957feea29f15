import type { Engine } from '../docker/engine.js';

/** certbot subcommands that talk to the CA: the runs worth a duration histogram. */
const TIMED = new Set(['certonly', 'renew', 'run', 'certificates']);

/**
 * The same Engine, reporting how long each certbot run took. Wrapping the engine keeps the renewal workflow unaware
 * of metrics: every `certbot <subcommand>` exec it makes is timed here.
 */
export function timeCertbotRuns(
  engine: Engine,
  record: (command: string, ok: boolean, seconds: number) => void,
  clock: () => number = () => performance.now(),
): Engine {
  return new Proxy(engine, {
    get(target, property, receiver) {
      if (property !== 'exec') return Reflect.get(target, property, receiver) as unknown;
      const exec: Engine['exec'] = async (containerId, argv, options) => {
        const command = argv[0] === 'certbot' ? argv[1] : undefined;
        if (command === undefined || !TIMED.has(command)) return target.exec(containerId, argv, options);
        const started = clock();
        let ok = false;
        try {
          const result = await target.exec(containerId, argv, options);
          ok = result.exitCode === 0;
          return result;
        } finally {
          record(command, ok, (clock() - started) / 1000);
        }
      };
      return exec;
    },
  });
}
