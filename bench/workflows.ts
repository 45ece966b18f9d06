/** Everything the bench worker registers: the product workflow, the naive loop, and the sleep-only ceiling. */
export { awaitJourneyCompletion } from '../src/workflows';
export { naivePollJourney } from './naive-workflow';
export { sleepLoop } from './sleep-workflow';
