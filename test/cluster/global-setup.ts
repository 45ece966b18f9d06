import { temporalServerBuild } from '../../dev/cluster/server-build';
import { postgresBinDir } from '../../dev/cluster/postgres';

/** Build or locate the Temporal server and find PostgreSQL once, before any test's timeout starts ticking. */
export default async function setup(): Promise<void> {
  postgresBinDir();
  await temporalServerBuild();
}
