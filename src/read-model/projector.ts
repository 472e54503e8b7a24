import type { Envelope } from '../bus/envelope';
import { route, type HandlerTable } from '../bus/handler-table';
import type { BatchMessage } from '../bus/ports';
import type { Contract } from '../platform/contract';
import { sourceOf, type SourceName } from './event-source';
import { projectedContracts } from './facts';
import type { ReadModelStore } from './infrastructure/read-model-store';

const ignore = (): void => {};

/** The read model's consumer group: its dead letters carry this name. */
export const READ_MODEL_GROUP = 'read-model';

/** A generation's inbox records: each generation has its own, so a rebuilt one knows every event it folded. */
export const inboxGroup = (gen: number): string => `${READ_MODEL_GROUP}/${gen}`;

/**
 * Applies one event to one generation, inside the caller's transaction: claim it in that generation's
 * inbox and merge it into the reservation's row (one statement). False when the generation had it
 * already (a duplicate, or folded by its rebuild). The caller counts what was applied in the feed, in the
 * same transaction (`countInFeed` in a group commit, `addToFeed` in a rebuild's transaction).
 */
export function applyEvent(store: ReadModelStore, gen: number, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): boolean {
  if (!store.inbox.claim(inboxGroup(gen), envelope.id)) return false;
  store.overview.merge(gen, contract, payload, envelope.occurredAt);
  return true;
}

/** A live event folded into `gen` in one of the store's group-committed transactions, and counted in its feed. */
export function applyLiveEvent(store: ReadModelStore, gen: number, source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): boolean {
  if (!applyEvent(store, gen, contract, envelope, payload)) return false;
  store.countInFeed(gen, source);
  return true;
}

/** One validated event for `Projector.applyMany`. */
export interface ProjectedEvent {
  source: SourceName;
  contract: Contract;
  envelope: Pick<Envelope, 'id' | 'occurredAt'>;
  payload: unknown;
}

/** Where the live feed's writes happen: the projector thread, or the app's own connection (projector-client.ts). */
export interface Projector {
  /** Folds one validated event into the live generation; settles after the commit; false for a duplicate. */
  apply(source: SourceName, contract: Contract, envelope: Pick<Envelope, 'id' | 'occurredAt'>, payload: unknown): Promise<boolean>;
  /** The same for several events with one promise (the projector thread): per event, whether it was written (applied or a duplicate) or failed. */
  applyMany?(events: readonly ProjectedEvent[]): Promise<boolean[]>;
  /** Sends anything queued and lets the connection go once it is written. */
  close(): void;
}

/**
 * The live feed: both modules' events through the bus, each into whichever generation is live when its
 * transaction runs (a rebuild may switch it between two).
 */
export function projectorSubscriptions(projector: Projector): HandlerTable {
  const sources = new Map<Contract, SourceName>();
  for (const contract of projectedContracts) {
    const source = sourceOf(contract.type);
    if (!source) throw new Error(`${contract.name} belongs to no source the read model knows`);
    sources.set(contract, source);
  }
  const applyMany = projector.applyMany?.bind(projector);
  return {
    group: READ_MODEL_GROUP,
    leaf: true,
    routes: projectedContracts.map((contract) => {
      const source = sources.get(contract) as SourceName;
      return route(contract, (m) => projector.apply(source, contract, m.envelope, m.payload).then(ignore));
    }),
    // A publish's events in one call where the projector takes them so (the thread): no delivery chain each.
    ...(applyMany
      ? { batch: (messages: readonly BatchMessage[]) => applyMany(messages.map((m) => ({ source: sources.get(m.contract) as SourceName, contract: m.contract, envelope: m.envelope, payload: m.payload }))) }
      : {}),
  };
}
