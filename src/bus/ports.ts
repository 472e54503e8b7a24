import type { Logger } from '../platform/logger';
import type { Contract, Envelope, PayloadOf } from './envelope';

/**
 * How one delivery ended for one consumer group.
 * - `ack`: handled (its effects are committed).
 * - `retry`: failed but may succeed later; the transport must keep it durably and redeliver after `delayMs`.
 * - `dead-lettered`: the dead-letter store holds it; the transport drops it.
 */
export type Settlement = { kind: 'ack' } | { kind: 'retry'; delayMs: number; error: Error } | { kind: 'dead-lettered' };

/** One delivery of one envelope to one consumer group, as it flows through the middleware chain. */
export interface Delivery {
  readonly envelope: Envelope;
  readonly group: string;
  /** How many delayed-retry rounds came before this delivery (0 on the first). */
  readonly round: number;
  /** Handler invocations so far, across rounds; the retry layer counts them. */
  tries: number;
  /** When the first failure happened (ms), if any. */
  firstFailedAt: number | null;
  /** Logger carrying correlation/causation ids; the correlation middleware sets it. */
  log: Logger;
  /** The validated payload; the schema check sets it. */
  payload?: unknown;
  /** The envelope lifted to the version the group subscribed to, when it came in at an older one (the schema check sets it). */
  upcast?: Envelope;
  /** Set by a transport that could not decode the raw message: the schema check dead-letters it at once. */
  decodeError?: string;
  /** With tracing on, the delivery's process span (the tracing middleware sets it; log lines carry it). */
  traceIds?: { trace_id: string; span_id: string };
}

export type HandleFn = (delivery: Delivery) => Promise<Settlement>;

/**
 * A fast path a transport may offer a group, beside its chain: the envelopes one publish brings the group,
 * in one call. `notTaken(i)` is called during the call, synchronously, for each envelope the batch leaves to
 * the chain, so the transport starts those deliveries at once, as it would have. The answers are then
 * `true` for a taken envelope that was handled (acknowledged, settled) and `false` for one tried once that
 * failed (it goes down the chain with that try counted). The bus builds it only for groups that give a
 * batch handler (router.ts says which messages it takes).
 */
export type BatchFn = (envelopes: readonly Envelope[], notTaken: (index: number) => void) => Promise<ReadonlyArray<boolean | undefined>>;

/** One message of a batch, checked as the chain would have checked it. */
export interface BatchMessage {
  readonly envelope: Envelope;
  readonly contract: Contract;
  readonly payload: unknown;
}

/** A group's handler for a batch: an answer per message, `true` handled, `false` failed (it is then retried through the chain). */
export type BatchHandler = (messages: readonly BatchMessage[]) => Promise<readonly boolean[]>;

/** What a middleware does for messages that take the batch path: whether it lets one skip the chain, and what it records once one is handled. */
export interface BatchHooks {
  admits?(envelope: Envelope): boolean;
  handled?(envelope: Envelope, seconds: number): void;
}
export type Middleware = (next: HandleFn) => HandleFn;

/** A subscription as the composition root's middleware sees it when it is made. */
export interface SubscriptionInfo {
  readonly group: string;
  readonly types: readonly string[];
  /** A group that only records what happened and sends nothing (SubscriptionOptions.leaf). */
  readonly leaf: boolean;
}
/** Middleware made once per subscription, so what it needs per group and type (metric label children) is built once. */
export type SubscriptionMiddleware = ((subscription: SubscriptionInfo) => Middleware) & {
  /** Present on a middleware whose work for a plain successful delivery these hooks do: without it, no group gets the batch path. */
  readonly batchHooks?: (subscription: SubscriptionInfo) => BatchHooks;
};

/**
 * A transport moves envelopes to consumer groups. Rules every transport keeps (the contract suite checks them):
 * - `publish` resolves only once the transport is responsible for every envelope: after that, a crash of the
 *   publisher loses nothing. A publisher (the outbox relay) marks rows dispatched only after it resolves.
 * - Each subscribed group gets each envelope at least once, asynchronously, never inside `publish`'s call stack.
 * - A `retry` settlement is kept durably and redelivered after its delay without blocking other messages.
 * - `redeliver` hands one envelope to one group only (dead-letter replay) and resolves with its settlement.
 * - After `close` nothing is delivered.
 */
export interface Transport {
  readonly name: string;
  /** For a broker transport: whether it is connected now (readiness). Transports without a broker leave it out. */
  readonly connected?: boolean;
  publish(envelopes: readonly Envelope[]): Promise<void>;
  /** `batch`: the group's fast path for a publish's envelopes, which a transport may use (the memory transport does) or ignore. */
  subscribe(group: string, types: readonly string[], handle: HandleFn, batch?: BatchFn): void;
  redeliver(group: string, envelope: Envelope): Promise<Settlement>;
  /** Begin consuming (after all subscriptions are made); resumes durable delayed retries. */
  start(): Promise<void>;
  /** Resolves when nothing is in flight (delayed retries waiting for their time do not count). */
  idle(): Promise<void>;
  /** True while a delivery is in flight. */
  readonly busy: boolean;
  /** Like idle, and every delayed retry has run too (transports whose delays run on real time). */
  drained?(): Promise<void>;
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** Extra tries right away, inside one delivery. */
  immediate: number;
  /** Delayed rounds after the immediate tries are used up; then the message is dead-lettered. */
  delayed: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { immediate: 2, delayed: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

export interface Message<P> {
  readonly envelope: Envelope;
  readonly payload: P;
  readonly log: Logger;
  /** Which handler invocation this is for the message in this group, counting every retry (1 on the first). */
  readonly attempt: number;
}

export type MessageHandler<C extends Contract> = (message: Message<PayloadOf<C>>) => Promise<void> | void;

export interface SubscriptionOptions {
  retry?: Partial<RetryPolicy>;
  /**
   * The group only records what happened (a projection, an observer) and causes no message: tracing
   * gives its deliveries no span of their own (their log lines carry the message's trace), since no
   * step of a saga hangs off them. Metrics, retries and dead letters are the same as for any group.
   */
  leaf?: boolean;
  /**
   * The group's handler for several messages at once (a recorder that sends them to the writer thread in
   * one go): a transport that offers it hands over a publish's messages together instead of one delivery
   * each. `handler` still handles each message alone: retries, redeliveries and replays use it.
   */
  batch?: BatchHandler;
}

/** What modules and the saga depend on: publish envelopes, subscribe a group to contracts. */
export interface EventBus {
  publish(envelopes: Envelope | readonly Envelope[]): Promise<void>;
  subscribe<C extends Contract>(
    group: string,
    contracts: readonly C[],
    handler: MessageHandler<C>,
    options?: SubscriptionOptions,
  ): void;
}

/** Narrows a message of a multi-contract subscription to one contract's payload type. */
export const isOf = <C extends Contract>(contract: C, m: Message<unknown>): m is Message<PayloadOf<C>> =>
  m.envelope.type === contract.type && m.envelope.version === contract.version;
