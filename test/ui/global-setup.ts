import { devServerExecutable } from '../../dev/temporal-servers';

/** Build or locate the Temporal dev server (with its Web UI) once, before any test's timeout starts ticking. */
export default async function setup(): Promise<void> {
  await devServerExecutable();
}
