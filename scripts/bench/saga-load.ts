/**
 * The bench's load, shared by `npm run bench` and scripts/throughput-probe.ts so both drive the same sagas:
 * the inputs (100 customers, a resource of its own per saga, 1 in 10 declined) and the closed loop of the
 * throughput runs.
 */

let slot = 0;

/** A reservation on a resource no other saga holds. */
export const input = (token: string) => {
  const i = slot++;
  return {
    customerId: `c${i % 100}`,
    resourceId: `r${i}`,
    startsAt: '2031-01-01T10:00:00.000Z',
    endsAt: '2031-01-01T11:00:00.000Z',
    amount: 1_000,
    currency: 'EUR',
    paymentToken: token,
  };
};

export type SagaInput = ReturnType<typeof input>;

export const tokenFor = (i: number) => (i % 10 === 9 ? 'tok_decline' : 'tok_ok'); // 90% approve, 10% decline

/** Sagas begun and not ended in the throughput runs (the peers run 500). */
export const IN_FLIGHT = 2_048;

/**
 * Creates `n` reservations, `step` at a time, with at most `inFlight` sagas begun and not ended
 * (`allEnded(k)` settles once k sagas of this run have ended), and settles once all `n` have ended.
 * Unbounded, the creates ran ahead of the sagas behind them (a backlog of hundreds of thousands in the
 * million-saga run), so a rate measured over the run saw the create rate while the pipeline fell behind.
 */
export async function createInFlight(
  n: number,
  create: (reservation: SagaInput) => Promise<unknown>,
  allEnded: (k: number) => Promise<void>,
  options: { step?: number; inFlight?: number } = {},
): Promise<void> {
  const { step = 256, inFlight = IN_FLIGHT } = options;
  for (let i = 0; i < n; i += step) {
    if (i + step - inFlight > 0) await allEnded(i + step - inFlight);
    const batch: Array<Promise<unknown>> = [];
    for (let k = i; k < Math.min(n, i + step); k++) batch.push(create(input(tokenFor(k))));
    await Promise.all(batch);
  }
  await allEnded(n);
}
