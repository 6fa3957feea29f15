// The moments Swarm stops a service's tasks, for `npm run bench:swarm`'s timeline of failed requests: `docker events`
// for the service's containers (kill, with the signal; die), and where each failed request falls against them.
import { spawn } from 'node:child_process';

/** Starts watching; stop() ends the watch and gives the events seen: { action, at (ms since the epoch), id, signal }. */
export function watchContainerEvents(service) {
  const events = [];
  const child = spawn(
    'docker',
    ['events', '--filter', 'type=container', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{json .}}'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let rest = '';
  child.stdout.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line);
      if (!['start', 'kill', 'die'].includes(event.Action)) continue;
      events.push({ action: event.Action, at: event.timeNano / 1e6, id: event.id.slice(0, 12), signal: event.Actor?.Attributes?.signal });
    }
  });
  return {
    stop() {
      child.kill();
      return events;
    },
  };
}

/**
 * Each failure placed against the last kill before it (a task told to stop): ms from that kill, and whether the
 * task had exited by then (its die). Also how long a task took from kill to die (its graceful quit).
 */
export function placeFailures(failures, events) {
  const kills = events.filter((event) => event.action === 'kill').sort((a, b) => a.at - b.at);
  const dies = new Map(events.filter((event) => event.action === 'die').map((event) => [event.id, event.at]));
  const placed = failures.map((failure) => {
    const kill = kills.filter((event) => event.at <= failure.at).at(-1);
    const next = kills.find((event) => event.at > failure.at);
    const untilKill = next ? next.at - failure.at : undefined;
    if (!kill) return { ...failure, sinceKill: undefined, untilKill };
    const died = dies.get(kill.id);
    return {
      ...failure,
      sinceKill: failure.at - kill.at,
      untilKill,
      signal: kill.signal,
      afterDie: died !== undefined && died <= failure.at,
    };
  });
  const quits = kills.filter((kill) => dies.has(kill.id)).map((kill) => dies.get(kill.id) - kill.at);
  return { placed, quits, kills: kills.length, signals: [...new Set(kills.map((kill) => kill.signal))] };
}

/** A short line per failure, for the bench's log. */
export function describePlaced(entry) {
  const when =
    entry.sinceKill === undefined
      ? 'before any kill'
      : `${entry.sinceKill.toFixed(0)} ms after a kill (signal ${entry.signal})${entry.afterDie ? ', after the task exited' : ''}`;
  // Far from the kill before it: how soon the next one came (a failure just before a kill is that task's).
  const next = entry.untilKill !== undefined && !(entry.sinceKill < 1_000) ? `, ${entry.untilKill.toFixed(0)} ms before the next kill` : '';
  const retry = entry.retryOk === undefined ? 'not retried' : entry.retryOk ? 'a retry succeeded' : 'the retry failed too';
  return `${entry.kind}: ${entry.cause}, sent ${entry.at - entry.sent} ms before it failed, ${when}${next}; ${entry.retriable ? 'retriable' : 'not retriable'}, ${retry}`;
}
