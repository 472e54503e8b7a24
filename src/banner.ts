import { resolve } from 'node:path';
import type { Config } from './config';

/** What `npm start` prints once it listens: where, with which settings, the admin token, a first call. */
export function banner(o: { url: string; config: Config; running: string; adminToken: string; generatedToken: boolean }): string {
  const { config, url } = o;
  const exposed = ['127.0.0.1', 'localhost', '::1'].includes(config.HOST) ? 'loopback only' : 'REACHABLE FROM THE NETWORK';
  return [
    '',
    `consistency-lab (${o.running}) listening on ${url} (${exposed}; HOST=${config.HOST})`,
    `dashboard: ${url.replace(/\/trpc$/, '/')}`,
    `data in ${resolve(config.DATA_DIR)}, bus=${config.BUS}, saga=${config.SAGA_MODE}, payment deadline ${config.PAYMENT_DEADLINE_MS} ms`,
    o.generatedToken ? `admin token (generated for this run; set ADMIN_TOKEN to fix it): ${o.adminToken}` : 'admin token: from ADMIN_TOKEN',
    '',
    'try it:',
    `  curl -s -X POST ${url}/reservation.create -H 'content-type: application/json' \\`,
    `    -d '{"customerId":"c1","resourceId":"room-1","startsAt":"2030-01-01T10:00:00Z","endsAt":"2030-01-01T11:00:00Z","amount":5000,"currency":"EUR","paymentToken":"tok_ok"}'`,
    `  curl -s --get ${url}/reservation.get --data-urlencode 'input={"id":"<id>"}'`,
    `  curl -s --get ${url}/saga.get --data-urlencode 'input={"reservationId":"<id>"}'`,
    '  or the typed client: npm run example',
    '',
  ].join('\n');
}
