/**
 * How hard the suite pushes. The default fits a shared 2-core CI machine in under ten minutes;
 * `FAULTS_FULL=1` runs the numbers (10,000 requests in flight and so on).
 */
export const FULL = process.env['FAULTS_FULL'] === '1';

/** Requests per scenario. @default 2000 for the manager kill, 1000 elsewhere (10,000 / 5,000 with FAULTS_FULL=1) */
export const LOAD = {
  managerKill: FULL ? 10_000 : 2000,
  replicas: FULL ? 5000 : 1000,
  workerKill: FULL ? 2000 : 400,
  brokerRestart: FULL ? 5000 : 1000,
  databaseOutage: FULL ? 5000 : 1000,
  network: FULL ? 5000 : 1000,
  healthy: FULL ? 1000 : 200,
} as const;

/** Outage lengths. The issue asks 30 s; the shared local services are kept down 10 s by default. */
export const OUTAGE_MS = FULL ? 30_000 : 10_000;
