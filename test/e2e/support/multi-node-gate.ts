/**
 * Whether the multi-node swarm test (test/e2e/swarm-multi-node.test.ts) runs here: undefined when it does, else why
 * not, which the test prints and puts in its name, so a run that skips it says so (docs/swarm.md, "Multi-node test").
 * It runs with CERTKIT_TEST_MULTINODE=1, and in CI (CI=true) on the current stack unless CERTKIT_TEST_MULTINODE is set
 * to something else; the legacy stack runs it only when asked.
 */
export function multiNodeNotRun(env: NodeJS.ProcessEnv, stack: string): string | undefined {
  const setting = env['CERTKIT_TEST_MULTINODE'];
  if (setting === '1') return undefined;
  if (setting !== undefined && setting !== '') return `CERTKIT_TEST_MULTINODE=${setting} (set it to 1 to run it)`;
  if (env['CI'] === 'true' && stack === 'current') return undefined;
  if (env['CI'] === 'true') return `CI runs it on the current stack only (CERTKIT_TEST_MULTINODE=1 runs it on ${stack} too)`;
  return 'it runs only with CERTKIT_TEST_MULTINODE=1, or under CI=true on the current stack (three nested Docker engines; docs/swarm.md, "Multi-node test")';
}
