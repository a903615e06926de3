// Local scale-out, longer than the test: three `wharf serve` replicas behind nginx with
// deploy/nginx/wharf.conf and a closed loop of keep-alive HTTP clients through nginx; one run
// stops a replica with SIGTERM a third of the way in, the next kills one with SIGKILL.
// Needs nginx (Debian: apt-get install nginx; it runs in the foreground from a temporary folder).
// Run: npm run bench:scale-out   (env: DURATION_MS=20000 CONCURRENCY=16 REPLICAS=3 SIGNAL_AT_MS=DURATION_MS/3)
import { findNginx } from '../test/support/nginx.js';
import { formatPhase, runScaleOutPhase, type StopSignal } from '../test/support/scale-out.js';

const DURATION_MS = Number(process.env.DURATION_MS ?? 20_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const REPLICAS = Number(process.env.REPLICAS ?? 3);
const SIGNAL_AT_MS = Number(process.env.SIGNAL_AT_MS ?? Math.round(DURATION_MS / 3));

for (const [name, value, min] of [['DURATION_MS', DURATION_MS, 1], ['CONCURRENCY', CONCURRENCY, 1], ['REPLICAS', REPLICAS, 2], ['SIGNAL_AT_MS', SIGNAL_AT_MS, 0]] as const) {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, not ${String(process.env[name])}`);
}
const nginx = findNginx();
if (!nginx) throw new Error('nginx is not installed (Debian: apt-get install nginx)');

console.log(`${REPLICAS} replicas behind nginx, ${CONCURRENCY} clients for ${DURATION_MS / 1000} s, the signal at ${SIGNAL_AT_MS / 1000} s`);
for (const signal of ['SIGTERM', 'SIGKILL'] as const satisfies readonly StopSignal[]) {
  const result = await runScaleOutPhase({ nginx, signal, replicas: REPLICAS, concurrency: CONCURRENCY, durationMs: DURATION_MS, signalAtMs: SIGNAL_AT_MS });
  console.log(formatPhase(result));
}
