/**
 * A typed tRPC client for the running server (`npm start` first, then `npm run example`).
 * Set TRPC_URL to point elsewhere (default http://127.0.0.1:3000/trpc).
 */
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { AppRouter } from '../src/api/router';

export async function runExample(url: string, print: (line: string) => void = console.log) {
  const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url })] });
  const start = new Date(Date.UTC(2031, 0, 1, 10) + Math.floor(Math.random() * 1e6) * 3_600_000);
  const created = await client.reservation.create.mutate({
    customerId: 'customer-42',
    resourceId: 'meeting-room-1',
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
    amount: 12_50, // minor units: 12.50 EUR
    currency: 'EUR',
    paymentToken: 'tok_ok', // try tok_decline, tok_flaky or tok_outage
  });
  print(`created ${created.id}: ${created.status}`);

  // The saga runs asynchronously: the reservation is PENDING until payment answers.
  let reservation = created;
  for (let i = 0; i < 100 && reservation.status === 'PENDING'; i++) {
    await sleep(50);
    reservation = await client.reservation.get.query({ id: created.id });
  }
  print(`now ${reservation.status}${reservation.cancellationReason ? ` (${reservation.cancellationReason})` : ''}`);
  const payment = await client.payment.getByReservation.query({ reservationId: created.id });
  print(`payment ${payment.status}: captured ${payment.capturedAmount}, refunded ${payment.refundedAmount}`);
  return { reservation, payment };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExample(process.env.TRPC_URL ?? 'http://127.0.0.1:3000/trpc').catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
