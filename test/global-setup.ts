import { devServerExecutable, timeSkippingServerExecutable } from '../dev/temporal-servers';

/** Build or locate both Temporal servers once, before any test's timeout starts ticking. */
export default async function setup(): Promise<void> {
  await timeSkippingServerExecutable();
  await devServerExecutable();
}
