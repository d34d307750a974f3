// The second half of the end-to-end suite on PostgreSQL (e2e-on-postgres.ts).

import { runEndToEndOnPostgres } from './e2e-on-postgres.ts';

await runEndToEndOnPostgres(1);
