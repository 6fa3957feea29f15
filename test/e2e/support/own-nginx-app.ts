import { inject } from 'vitest';
import { runCommand, type CommandResult } from './docker-cli.js';
import type { TestStack } from './stack.js';

/** certkit's Compose files for an app with its own nginx: what docs/dify.md's guides add to the app's COMPOSE_FILE. */
const CERTKIT_FILES = new Set(['compose.own-nginx.yaml', 'compose.dify.yaml']);

/** Compose on the app's own files alone (as it ran before certkit), under the stack's project. */
export function appOnlyCompose(stack: TestStack, args: readonly string[]): Promise<CommandResult> {
  const [command, ...prefix] = inject('composeCommand');
  const files = stack.composeFiles.filter((file) => !CERTKIT_FILES.has(file)).flatMap((file) => ['-f', file]);
  return runCommand(command as string, [...prefix, '-p', stack.project, ...files, ...args], { cwd: stack.dir, env: stack.composeEnv() });
}

/** A .env as Dify's: its nginx names (its HTTPS and challenge switches off, its ports), CERTKIT_NGINX_MODE=own, and `certbot`. */
export function writeDifyStyleEnv(stack: TestStack, certbot: Record<string, string>): Promise<void> {
  return stack.writeEnv({
    ...certbot,
    NGINX_SERVER_NAME: '_',
    NGINX_HTTPS_ENABLED: 'false',
    NGINX_ENABLE_CERTBOT_CHALLENGE: 'false',
    EXPOSE_NGINX_PORT: String(stack.httpPort),
    EXPOSE_NGINX_SSL_PORT: String(stack.httpsPort),
    CERTKIT_NGINX_MODE: 'own',
  });
}
