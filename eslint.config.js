// The configuration lives in tools/lint/ (see the note there); `npm run lint` runs it.
export { default } from './tools/lint/eslint.config.js';
