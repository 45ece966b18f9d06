/** The `journey-await` CLI as a library (tests, embedding): run one invocation and get its exit code. */
export { EXIT, UsageError } from './args';
export { progressLine } from './format';
export { runCli, type CliDeps } from './run';
