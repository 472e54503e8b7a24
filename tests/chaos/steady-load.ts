import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../src/api/router';
import type { CreateReservationInput } from '../../src/modules/reservation';
import { prng } from '../simulation/simulator';

export type TokenKind = 'ok' | 'decline' | 'flaky';

/** What the load asked for, per idempotency key, and what it was told: the final check's expectations. */
export interface Intent {
  index: number;
  input: CreateReservationInput;
  token: TokenKind;
  /** The reservation's id once a create was answered (retries with the same key get the same id). */
  id: string | null;
  /** Refused for good: its slot was held by another reservation. */
  refused: boolean;
  /** A customer cancellation was asked for, and answered. */
  cancel: 'none' | 'wanted' | 'done';
}

export interface LoadFigures {
  /** Create requests the load decided on. */
  intended: number;
  acknowledged: number;
  refusedSlotTaken: number;
  /** Requests that failed (process down, connection cut) and were sent again with the same key. */
  resent: number;
  cancelsAnswered: number;
}

const MAX_IN_FLIGHT = 32;
const TICK_MS = 50;
const REQUEST_TIMEOUT_MS = 15_000;
const HOT_SLOTS = 3;
const PERIOD = { startsAt: '2031-06-01T10:00:00.000Z', endsAt: '2031-06-01T11:00:00.000Z' };

/**
 * Open-loop load on the reservation process: `ratePerSec` creates per second on schedule, whether
 * earlier ones were answered or not, with mixed tokens (70% approve, 15% decline, 15% flaky), 5% on
 * three contended slots (most are refused: the slot invariant gets tested) and 5% cancelled by the
 * customer soon after. A request that fails because a process is down or the network is cut is sent
 * again with the same idempotency key until it is answered. The mix is seeded; the timing is not.
 */
export class SteadyLoad {
  readonly intents: Intent[] = [];
  /** Definite refusals the load did not expect (each one is a finding). */
  readonly unexpected: string[] = [];
  private readonly queue: Intent[] = [];
  private readonly cancels: Intent[] = [];
  private readonly rng: () => number;
  private readonly clients = new Map<string, TRPCClient<AppRouter>>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private generating = false;
  private inFlight = 0;
  private resent = 0;

  constructor(
    private readonly urlOf: () => string | null,
    private readonly ratePerSec: number,
    seed: number,
  ) {
    this.rng = prng(seed ^ 0x5eed);
  }

  start(): void {
    this.startedAt = Date.now();
    this.generating = true;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops deciding on new requests; what is queued or in flight goes on until `finish`. */
  stopGenerating(): void {
    this.generating = false;
  }

  /** Resolves once every create and cancellation decided on has been answered (sent again as needed). */
  async finish(timeoutMs: number): Promise<void> {
    this.stopGenerating();
    const until = Date.now() + timeoutMs;
    while (this.queue.length > 0 || this.cancels.length > 0 || this.inFlight > 0) {
      if (Date.now() > until) throw new Error(`the load could not finish within ${timeoutMs} ms: ${this.queue.length} creates and ${this.cancels.length} cancellations unanswered`);
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    this.halt();
  }

  /** Stops at once, answered or not (a run that failed half-way). */
  halt(): void {
    this.stopGenerating();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  figures(): LoadFigures {
    return {
      intended: this.intents.length,
      acknowledged: this.intents.filter((i) => i.id !== null).length,
      refusedSlotTaken: this.intents.filter((i) => i.refused).length,
      resent: this.resent,
      cancelsAnswered: this.intents.filter((i) => i.cancel === 'done').length,
    };
  }

  private tick(): void {
    if (this.generating) {
      const due = Math.floor(((Date.now() - this.startedAt) / 1000) * this.ratePerSec);
      while (this.intents.length < due) this.queue.push(this.decide(this.intents.length));
    }
    const url = this.urlOf();
    if (!url) return; // the reservation process is down: the requests wait for its restart
    const api = this.client(url);
    while (this.inFlight < MAX_IN_FLIGHT && (this.cancels.length > 0 || this.queue.length > 0)) {
      const cancel = this.cancels.shift();
      if (cancel) this.send(cancel, () => api.reservation.cancel.mutate({ id: cancel.id as string }).then(() => (cancel.cancel = 'done')), this.cancels);
      else {
        const intent = this.queue.shift() as Intent;
        this.send(intent, () => api.reservation.create.mutate(intent.input).then((r) => this.answered(intent, r.id)), this.queue);
      }
    }
  }

  private send(intent: Intent, call: () => Promise<unknown>, retryQueue: Intent[]): void {
    this.inFlight++;
    call()
      .catch((e: unknown) => {
        if (slotTaken(e)) intent.refused = true;
        else if (definite(e)) {
          // A 4xx other than a taken slot means the load itself is wrong, or the server broke a promise.
          intent.refused = true;
          this.unexpected.push(`request ${intent.index} was refused: ${(e as Error).message}`);
        } else {
          // Down, cut off or timed out: the outcome is unknown, so ask again with the same key.
          this.resent++;
          retryQueue.push(intent);
        }
      })
      .finally(() => this.inFlight--);
  }

  private answered(intent: Intent, id: string): void {
    intent.id = id;
    if (intent.cancel === 'wanted') this.cancels.push(intent);
  }

  private decide(index: number): Intent {
    const r = this.rng();
    const token: TokenKind = r < 0.7 ? 'ok' : r < 0.85 ? 'decline' : 'flaky';
    const hot = this.rng() < 0.05;
    const cancel = this.rng() < 0.05 ? 'wanted' : 'none';
    const input: CreateReservationInput = {
      customerId: `chaos-cust-${index % 20}`,
      resourceId: hot ? `hot-room-${index % HOT_SLOTS}` : `room-${index}`,
      ...PERIOD,
      amount: 1_000 + (index % 1_000),
      currency: 'EUR',
      paymentToken: `tok_${token}_${index}`,
      idempotencyKey: `chaos-${index}`,
    };
    const intent: Intent = { index, input, token, id: null, refused: false, cancel };
    this.intents.push(intent);
    return intent;
  }

  private client(url: string): TRPCClient<AppRouter> {
    let c = this.clients.get(url);
    if (!c) {
      c = createTRPCClient<AppRouter>({
        links: [httpLink({ url, fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }) })],
      });
      this.clients.set(url, c);
    }
    return c;
  }
}

/** An answer, not a failure to get one: a client error (4xx) other than a timeout or throttling. */
const definite = (e: unknown): boolean => {
  const status = e instanceof TRPCClientError ? (e.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
};

/** A definite "no": the slot is held by another reservation (not an idempotency-key clash). */
const slotTaken = (e: unknown): boolean => e instanceof TRPCClientError && (e.data as { code?: string } | undefined)?.code === 'CONFLICT' && /already held/.test(e.message);
