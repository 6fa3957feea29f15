// One load generator for the e2e tests and the benchmarks: it lives in bench/ (plain JS, run without a build).
export { CLIENT_KINDS, describeFailures, runHttpsLoad, type ClientKind, type LoadResult } from '../../../bench/https-load.js';
