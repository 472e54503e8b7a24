import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { DeadLetterStore } from './dead-letters/store';
import type { DeadLetterListener } from './middleware/dead-letter';
import { contractIndex } from './contract-index';
import { checkedBy, type Contract, type Envelope } from './envelope';
import { REPLAY_HEADER } from './dead-letters/operations';
import { correlation } from './middleware/correlation';
import { deadLetter } from './middleware/dead-letter';
import { retry } from './middleware/retry';
import { schemaCheck } from './middleware/schema-check';
import { Upcasters } from './upcasters';
import {
  defaultRetryPolicy,
  type BatchFn,
  type BatchHandler,
  type BatchMessage,
  type EventBus,
  type Delivery,
  type HandleFn,
  type Message,
  type MessageHandler,
  type Middleware,
  type RetryPolicy,
  type Settlement,
  type SubscriptionInfo,
  type SubscriptionMiddleware,
  type SubscriptionOptions,
  type Transport,
} from './ports';

const ACK: Settlement = { kind: 'ack' };
const ACKED = Promise.resolve(ACK);
const toAck = (): Settlement => ACK;

/**
 * What a handler receives. A class with the logger as a prototype getter: an object literal with a
 * getter builds a new closure and accessor for every message. The logger is read lazily, so the
 * correlated child logger is built only if the handler logs.
 */
class HandlerMessage<P> implements Message<P> {
  readonly envelope: Envelope;
  readonly payload: P;
  readonly #delivery: Delivery;
  constructor(delivery: Delivery) {
    this.envelope = delivery.upcast ?? delivery.envelope;
    this.payload = delivery.payload as P;
    this.#delivery = delivery;
  }
  get log(): Logger {
    return this.#delivery.log;
  }
  get attempt(): number {
    return this.#delivery.tries;
  }
}

export interface RouterOptions {
  retry?: Partial<RetryPolicy>;
  /** Source of randomness for backoff jitter; seeded in the simulator. */
  random?: () => number;
  /** Wraps each subscription's handler, inside the chain (the fault simulator injects failures here). */
  decorateHandler?: (group: string, handler: MessageHandler<Contract>) => MessageHandler<Contract>;
  /** Told about every message that was dead-lettered, after it was stored (the saga logs it on its instance). */
  onDeadLettered?: DeadLetterListener;
  /** Extra middleware (metrics, tracing), placed right inside correlation, first listed outermost. */
  middleware?: readonly SubscriptionMiddleware[];
}

/** Applies `middleware` so that the first one listed is the outermost. */
export const compose = (middleware: readonly Middleware[], handle: HandleFn): HandleFn =>
  middleware.reduceRight((next, m) => m(next), handle);

/**
 * The bus as modules see it: subscriptions with the handler chain
 * correlation → [extra: metrics, tracing] → dead-letter → retry → schema check → handler,
 * on top of any transport.
 */
export class MessageBus implements EventBus {
  private readonly contracts = new Map<string, Contract>();
  /** `type@version` → the groups subscribed to it in this process. */
  private readonly groupsByContract = new Map<string, string[]>();
  private readonly groups = new Set<string>();
  private readonly retryPolicy: RetryPolicy;
  private readonly random: () => number;
  private readonly decorate: NonNullable<RouterOptions['decorateHandler']> | null;
  private readonly onDeadLettered: DeadLetterListener | undefined;
  private readonly extra: readonly SubscriptionMiddleware[];

  constructor(
    readonly transport: Transport,
    private readonly deadLetters: DeadLetterStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: RouterOptions = {},
  ) {
    this.retryPolicy = { ...defaultRetryPolicy, ...options.retry };
    this.random = options.random ?? Math.random;
    this.decorate = options.decorateHandler ?? null;
    this.onDeadLettered = options.onDeadLettered;
    this.extra = options.middleware ?? [];
  }

  publish(envelopes: Envelope | readonly Envelope[]): Promise<void> {
    return this.transport.publish(Array.isArray(envelopes) ? envelopes : [envelopes as Envelope]);
  }

  subscribe<C extends Contract>(group: string, contracts: readonly C[], handler: MessageHandler<C>, options: SubscriptionOptions = {}): void {
    if (contracts.length === 0) throw new Error(`group "${group}" must subscribe to at least one contract`);
    // Older versions too: a dead letter written before a contract's new version is masked by its own.
    for (const c of new Upcasters(contracts).readable()) this.contracts.set(`${c.type}@${c.version}`, c);
    for (const c of contracts) {
      const key = `${c.type}@${c.version}`;
      this.groupsByContract.set(key, [...(this.groupsByContract.get(key) ?? []), group]);
    }
    this.groups.add(group);
    const policy = { ...this.retryPolicy, ...options.retry };
    const run = (this.decorate ? this.decorate(group, handler as MessageHandler<Contract>) : handler) as MessageHandler<C>;
    // Not an async function: a handler's promise becomes the settlement with one `then` (a sync throw
    // becomes a rejection in the retry layer).
    const final: HandleFn = (d) => {
      const done = run(new HandlerMessage(d));
      return done ? done.then(toAck) : ACKED;
    };
    const types = [...new Set(contracts.map((c) => c.type))];
    const info: SubscriptionInfo = { group, types, leaf: options.leaf === true };
    const extra = this.extra.map((make) => make(info));
    const chain = compose(
      [correlation(this.log), ...extra, deadLetter(this.deadLetters, this.clock, this.onDeadLettered), retry(policy, this.random, this.clock), schemaCheck(contracts)],
      final,
    );
    // No batch path where the fault simulator wraps handlers: its failures are injected per message.
    const batch = options.batch && !this.decorate ? this.batchPath(info, contracts, options.batch) : undefined;
    this.transport.subscribe(group, types, chain, batch);
  }

  /**
   * The batch path of a group: it takes only what the chain would pass straight to the handler (a payload
   * this process created and checked with the very contract the group subscribed to, not a replay, and
   * what every extra middleware admits), so skipping correlation, dead-letter, retry and the schema check
   * changes nothing for it; everything else is left to the chain. A handled message is recorded by the
   * extra middleware's hooks (metrics count it as handled). Undefined when an extra middleware has no
   * hooks: its work would be skipped.
   */
  private batchPath(info: SubscriptionInfo, contracts: readonly Contract[], handler: BatchHandler): BatchFn | undefined {
    const admits: Array<(e: Envelope) => boolean> = [];
    const handled: Array<(e: Envelope, seconds: number) => void> = [];
    for (const make of this.extra) {
      if (!make.batchHooks) return undefined;
      const hooks = make.batchHooks(info);
      if (hooks.admits) admits.push(hooks.admits.bind(hooks));
      if (hooks.handled) handled.push(hooks.handled.bind(hooks));
    }
    const contractFor = contractIndex(contracts);
    const taken = (e: Envelope): Contract | undefined => {
      const contract = contractFor(e.type, e.version);
      if (!contract || checkedBy(e.payload) !== contract || e.headers[REPLAY_HEADER] !== undefined) return undefined;
      for (const admit of admits) if (!admit(e)) return undefined;
      return contract;
    };
    return (envelopes, notTaken) => {
      const answers = new Array<boolean | undefined>(envelopes.length);
      const messages: BatchMessage[] = [];
      const at: number[] = [];
      for (let i = 0; i < envelopes.length; i++) {
        const envelope = envelopes[i] as Envelope;
        const contract = taken(envelope);
        if (contract) {
          messages.push({ envelope, contract, payload: envelope.payload });
          at.push(i);
        } else {
          notTaken(i);
        }
      }
      if (messages.length === 0) return Promise.resolve(answers);
      const start = performance.now();
      let done: Promise<readonly boolean[]>;
      try {
        done = handler(messages);
      } catch {
        done = Promise.resolve(messages.map(() => false));
      }
      const failed = () => {
        for (const i of at) answers[i] = false;
        return answers;
      };
      return done.then((ok) => {
        if (!Array.isArray(ok)) return failed();
        const seconds = (performance.now() - start) / 1000;
        for (let j = 0; j < at.length; j++) answers[at[j] as number] = ok[j] === true;
        // Recorded once every answer is in place: a hook that throws cannot turn handled messages into failed ones.
        for (const i of at) {
          if (!answers[i]) continue;
          for (const record of handled) {
            try {
              record(envelopes[i] as Envelope, seconds);
            } catch (error) {
              this.log.warn({ err: error, group: info.group }, 'a middleware could not record a batched message');
            }
          }
        }
        return answers;
      }, failed);
    };
  }

  /** The consumer groups of this process that take this message. */
  groupsFor(type: string, version: number): readonly string[] {
    return this.groupsByContract.get(`${type}@${version}`) ?? [];
  }

  /** Whether this process consumes for `group` (in split mode another process may be the one that does). */
  subscribes(group: string): boolean {
    return this.groups.has(group);
  }

  redeliver(group: string, envelope: Envelope): Promise<Settlement> {
    return this.transport.redeliver(group, envelope);
  }

  /**
   * Fields to mask in views. A message with no matching contract (wrong version, unknown type) is masked
   * with every field any known contract marks sensitive: a poison message must not leak a secret either.
   */
  sensitiveFields(type: string, version: number): readonly string[] {
    const exact = this.contracts.get(`${type}@${version}`);
    if (exact) return exact.sensitive;
    return [...new Set([...this.contracts.values()].flatMap((c) => c.sensitive))];
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  idle(): Promise<void> {
    return this.transport.idle();
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
