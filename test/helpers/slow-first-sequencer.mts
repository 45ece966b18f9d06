import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files run several at a time; the long ones must start first or the run ends waiting on one of them. Vitest
 * orders by the durations it recorded on the previous run; on a clean clone it has none and falls back to file
 * size, so these files (long because they wait on real processes and servers, not because they are big) go first.
 */
const KNOWN_SLOW = [
  'test/dev/stack.test.ts',
  'test/cli/cli.test.ts',
  'test/worker/worker.test.ts',
  'test/cli/cli.config-exit.test.ts',
  'test/webhooks/webhooks.limits.test.ts',
  'test/codec/encryption.test.ts',
  'test/worker/worker.cancel-crash.test.ts',
  'examples/onboarding/onboarding.test.ts',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const recorded = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${this.relative(spec)}`) !== undefined;
    if (sorted.every(recorded)) return sorted;
    const rank = (spec: TestSpecification) => {
      const i = KNOWN_SLOW.indexOf(this.relative(spec));
      return i === -1 ? KNOWN_SLOW.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }

  private relative(spec: TestSpecification): string {
    return spec.moduleId.slice(this.ctx.config.root.length + 1);
  }
}
