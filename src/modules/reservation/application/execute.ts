import { createEnvelope, type Envelope } from '../../../bus/envelope';
import { iso } from '../../../platform/clock';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../contracts/events';
import { decide, evolve, replay, type ReservationCommand, type ReservationEvent, type ReservationState } from '../domain/reservation';
import type { ReservationStore } from '../infrastructure/reservation-store';

const CONTRACTS = { ReservationCreated, ReservationConfirmed, ReservationCancelled } as const;

export interface Causation {
  correlationId?: string;
  causationId?: string | null;
  /** Envelope headers to start from (an HTTP request's W3C trace context). */
  headers?: Record<string, string>;
}

function toEnvelope(event: ReservationEvent, now: number, cause: Causation): Envelope {
  const contract = CONTRACTS[event.type];
  return createEnvelope(contract, event.data as never, { key: event.data.reservationId, occurredAt: iso(now), ...cause });
}

/** The state to decide on, and the stream version it reflects. */
function load(store: ReservationStore, streamId: string, command: ReservationCommand): { state: ReservationState; version: number } {
  // A new reservation's id was just made: its stream is empty, nothing to read.
  if (command.kind === 'Create') return { state: null, version: 0 };
  // The current-state row is written in the same transaction as every event, so it is an exact snapshot
  // at its version; reading it spares replaying and parsing the stream. The append still checks the version.
  const snapshot = store.view.get(streamId);
  if (snapshot) {
    const { version, createdAt: _c, updatedAt: _u, ...state } = snapshot;
    return { state, version };
  }
  const { events, version } = store.events.load(streamId);
  return { state: replay(events), version };
}

export interface Executed {
  /** The events appended (none if nothing changed). */
  events: ReservationEvent[];
  state: ReservationState;
  version: number;
}

/**
 * Load the state, decide, append the new events and update the current-state row.
 * Must run inside a ReservationStore transaction.
 */
export function execute(store: ReservationStore, streamId: string, command: ReservationCommand, now: number, cause: Causation): Executed {
  const loaded = load(store, streamId, command);
  let state = loaded.state;
  const version = loaded.version;
  const events = decide(command, state);
  if (events.length === 0) return { events, state, version };
  store.events.append(streamId, version, events.map((e) => toEnvelope(e, now, cause)));
  for (const e of events) state = evolve(state, e);
  if (state) store.view.save(state, version + events.length, iso(now));
  return { events, state, version: version + events.length };
}
