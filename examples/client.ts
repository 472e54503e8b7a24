/**
 * A typed tRPC client for the running server (`npm start` first, then `npm run example`).
 * Set TRPC_URL to point elsewhere (default http://127.0.0.1:3000/trpc).
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
// Node 20 has no global EventSource (Node 22 has one behind a flag); browsers do and need no import.
import { EventSource } from 'eventsource';
import { pathToFileURL } from 'node:url';
import type { AppRouter } from '../src/api/router';

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;
type Reservation = Awaited<ReturnType<Client['reservation']['get']['query']>>;

/** Resolves with the reservation once the saga has decided it (CONFIRMED or CANCELLED), pushed by the server over SSE. */
function decided(client: Client, id: string): Promise<Reservation> {
  return new Promise((resolve, reject) => {
    let last: Reservation | null = null;
    // The server sends the current state first, every change after it, and ends the stream at CONFIRMED or
    // CANCELLED. A dropped connection is resumed by the client with the last event id: nothing is missed.
    client.reservation.onChange.subscribe(
      { id },
      {
        onData: ({ data }) => void (last = data.reservation),
        onComplete: () => (last ? resolve(last) : reject(new Error(`reservation ${id}: the stream ended without a state`))),
        onError: reject,
      },
    );
  });
}

export async function runExample(url: string, print: (line: string) => void = console.log) {
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
  const start = new Date(Date.UTC(2031, 0, 1, 10) + Math.floor(Math.random() * 1e6) * 3_600_000);
  const created = await client.reservation.create.mutate({
    customerId: 'customer-42',
    resourceId: 'meeting-room-1',
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
    amount: 12_50, // minor units: 12.50 EUR
    currency: 'EUR',
    paymentToken: 'tok_ok', // try tok_decline, tok_flaky or tok_outage
    channel: 'web', // optional: web | phone | partner | api (the default)
  });
  print(`created ${created.id}: ${created.status}`);

  // The saga runs asynchronously: the reservation is PENDING until payment answers; the server says when.
  const reservation = await decided(client, created.id);
  print(`now ${reservation.status}${reservation.cancellationReason ? ` (${reservation.cancellationReason})` : ''}`);
  const payment = await client.payment.getByReservation.query({ reservationId: created.id });
  print(`payment ${payment.status}: captured ${payment.capturedAmount}, refunded ${payment.refundedAmount}`);
  const history = await client.reservation.history.query({ id: created.id });
  print(`history: ${history.map((e) => `v${e.version} ${e.type.replace('reservation.', '')}`).join(', ')}`);
  return { reservation, payment, history };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExample(process.env.TRPC_URL ?? 'http://127.0.0.1:3000/trpc').catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
