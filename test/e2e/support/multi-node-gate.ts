/**
 * Whether the multi-node swarm test (test/e2e/swarm-multi-node.test.ts) runs here: undefined when it does, else why
 * not, which the test prints and puts in its name, so a run that skips it says so (docs/swarm.md, "Multi-node test").
 */
export function multiNodeNotRun(env: NodeJS.ProcessEnv): string | undefined {
  const setting = env['CERTKIT_TEST_MULTINODE'];
  if (setting === '1') return undefined;
  if (setting !== undefined && setting !== '') return `CERTKIT_TEST_MULTINODE=${setting} (set it to 1 to run it)`;
  return 'it runs only with CERTKIT_TEST_MULTINODE=1 (three nested Docker engines; docs/swarm.md, "Multi-node test")';
}
