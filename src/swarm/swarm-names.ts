/**
 * The names of what certkit touches on a Swarm manager, kept from the answers it reads (the stack's services, their
 * secrets and configs, certkit's versions, the tasks' containers), so each later call names the thing instead of
 * giving Swarm's id. Swarm resolves either, but the socket proxy can only scope a call by name: an id does not say
 * whose it is (src/docker/swarm-allowlist.ts). Pure; an id never seen is given as it is (the socket takes it, the proxy
 * refuses it with a 403 naming it).
 */
export class SwarmNames {
  private readonly names = new Map<string, string>();
  /** The stack whose services were listed last: what the list of referenced secrets is scoped to. */
  stack: string | undefined;

  remember(id: string | undefined, name: string | undefined): void {
    if (id && name) this.names.set(id, name);
  }

  /** The name of this id when it was seen, else the id. */
  of(id: string): string {
    return this.names.get(id) ?? id;
  }
}

/**
 * The name Swarm gives a task's container: SERVICE.SLOT.TASK for a replicated service, SERVICE.NODE.TASK for a global
 * one (no slot).
 */
export function taskContainerName(service: string, task: { id: string; slot: number | undefined; nodeId: string }): string {
  return `${service}.${task.slot ?? task.nodeId}.${task.id}`;
}
