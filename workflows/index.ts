/** Every workflow the worker registers. Deterministic code only: no I/O, no Node built-ins, no AWS SDK. */
export { textStatsJob } from './text-stats-job';
