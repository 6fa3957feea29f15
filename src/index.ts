// certkit's public surface for programs that embed it; the CLI (cli/main.ts) is built on the same pieces.
export { run } from './cli/main.js';
export { loadConfig } from './config/load-config.js';
export type { Config, KeyType, NginxConfig } from './config/config.js';
export type { Route } from './config/routes.js';
export { readEnvFile, parseEnvFile } from './config/read-env-file.js';
export { CertkitError, isCertkitError, type ErrorCode } from './errors.js';
export { planCertbotRun, type CertbotPlan, type ExistingCertificate } from './certbot/plan-certbot-run.js';
export { decideRenewal } from './certbot/renewal-due.js';
export { readCertificateInfo, type CertificateInfo } from './certs/read-certificate.js';
export { renderProject } from './render/render-project.js';
export { runUpdate, type UpdateResult } from './update/update.js';
