import type { ContainerEvent } from './engine.js';

/** One line of the engine's event stream; undefined for a line that is not a container event. */
export function parseContainerEvent(line: string): ContainerEvent | undefined {
  try {
    const json = JSON.parse(line) as {
      Type?: string;
      Action?: string;
      status?: string;
      id?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
    };
    if ((json.Type ?? 'container') !== 'container') return undefined;
    const id = json.Actor?.ID ?? json.id ?? '';
    return { action: json.Action ?? json.status ?? '', id, name: json.Actor?.Attributes?.['name'] ?? id.slice(0, 12) };
  } catch {
    return undefined;
  }
}
