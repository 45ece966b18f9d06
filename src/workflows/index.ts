/** Workflow definitions the worker registers (bundled with bundleWorkflowCode). */
export { awaitJourneyCompletion } from './await-journey-completion';
