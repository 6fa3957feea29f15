/**
 * Pure: what a rotation changes. A service's secret references are replaced by target (the file name in
 * /run/secrets/), so nginx.conf never changes; old versions go once nothing uses them.
 */

/** A secret as a service spec references it (dockerode's `SecretReference`, reduced to what certkit decides on). */
export interface SecretRef {
  secretId: string;
  secretName: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/** One version of a site's certificate, as listed by its labels. */
export interface SecretVersion {
  id: string;
  name: string;
  createdAt: string;
}

/** Task states after which a task never runs again (swarmkit's TaskState past `running`). */
const TERMINAL = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

/** A task as the rotation reads it: which secrets its spec mounts, and where it is. */
export interface TaskView {
  id: string;
  serviceId: string;
  nodeId: string;
  slot: number | undefined;
  desiredState: string;
  state: string;
  /** Swarm's message for the state (`started`, `task: non-zero exit (1)`). */
  message: string;
  error: string | undefined;
  secretIds: string[];
  /** The configs its spec mounts (absent in views built by hand). */
  configIds?: string[];
  /** Its address on each network it is attached to, by network name. */
  addresses?: Record<string, string>;
  /** The task's secret references: which version it mounts under which file name (the name kept after a removal). */
  mounts: TaskMount[];
  /** Network id → its address there (Swarm's NetworksAttachments, without the prefix length). */
  networks: Record<string, string>;
  containerId: string | undefined;
  /** Its container's name (SERVICE.SLOT.TASK), when listed by the service's name: how certkit execs into it. */
  containerName?: string;
}

export interface TaskMount {
  secretId: string;
  secretName: string;
  target: string;
}

export function taskIsLive(task: Pick<TaskView, 'desiredState' | 'state'>): boolean {
  return task.desiredState === 'running' || !TERMINAL.has(task.state);
}

/**
 * The service's secret list after the rotation: the reference with this target points at the new version (uid, gid
 * and mode kept), every other reference untouched; added when the service has none yet (a first certificate, or a
 * `docker stack deploy` that reset the spec to the stack file's).
 */
export function planServiceSecrets(
  current: readonly SecretRef[],
  next: { id: string; name: string; target: string },
): { secrets: SecretRef[]; replaced: SecretRef | undefined; changed: boolean } {
  const replaced = current.find((ref) => ref.target === next.target);
  const others = current.filter((ref) => ref.target !== next.target);
  // Key material is read by nginx's master, which runs as root: no other user in the task reads it.
  const ref: SecretRef = replaced
    ? { ...replaced, secretId: next.id, secretName: next.name }
    : { secretId: next.id, secretName: next.name, target: next.target, uid: '0', gid: '0', mode: 0o400 };
  const duplicates = current.filter((existing) => existing.target === next.target).length > 1;
  const changed = !replaced || replaced.secretId !== next.id || duplicates;
  return { secrets: [...others, ref], replaced, changed };
}

export interface CleanupPlan {
  remove: SecretVersion[];
  keep: Array<{ version: SecretVersion; reason: string }>;
}

/**
 * The site's versions that may be removed: not the one just rotated in, referenced by no service's spec (Swarm
 * refuses to remove those) and mounted by no live task (a task still starting or stopping reads its file).
 */
export function planCleanup(options: {
  versions: readonly SecretVersion[];
  current: string;
  referencedByServices: ReadonlySet<string>;
  tasks: readonly TaskView[];
}): CleanupPlan {
  const remove: SecretVersion[] = [];
  const keep: CleanupPlan['keep'] = [];
  for (const version of options.versions) {
    if (version.id === options.current) {
      keep.push({ version, reason: 'the current version' });
      continue;
    }
    if (options.referencedByServices.has(version.id)) {
      keep.push({ version, reason: "a service's spec references it" });
      continue;
    }
    const user = options.tasks.find((task) => taskIsLive(task) && task.secretIds.includes(version.id));
    if (user) {
      keep.push({ version, reason: `task ${user.id} (${user.state}) mounts it` });
      continue;
    }
    remove.push(version);
  }
  return { remove, keep };
}
