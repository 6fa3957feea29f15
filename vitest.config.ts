import { defineConfig } from 'vitest/config';

// Two tiers, both run by `npm test`: unit (pure logic, no Docker, no network, seconds) and e2e (a real Docker engine,
// real certbot, nginx and Pebble in stand-in images; minutes). E2E files run one at a time: each brings up a stack.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/support/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
