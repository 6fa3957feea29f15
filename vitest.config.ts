import { defineConfig } from 'vitest/config';

// `npm test` runs unit (pure logic, no Docker, no network, seconds) and e2e on two stacks: every e2e file runs once on
// `legacy` (Debian bookworm: certbot 2.1, nginx 1.22, Pebble 2.4, docker-compose v1) and once on `current` (Debian
// sid: certbot 5, nginx 1.30, Pebble 2.10, `docker compose` v2). Each e2e project's global setup builds its stack's
// stand-in images and provides `stack`. The groups run one after another (unit, legacy, current), and e2e files one
// at a time: each brings up a stack, and the machine has two cores.
const e2e = (stack: 'legacy' | 'current', groupOrder: number) => ({
  test: {
    name: `e2e-${stack}`,
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/support/global-setup.ts'],
    provide: { stack },
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    sequence: { groupOrder },
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      e2e('legacy', 1),
      e2e('current', 2),
    ],
  },
});
