import { createEnvelope, type Envelope } from '../../../bus/envelope';
import { iso } from '../../../platform/clock';
import { ReservationCancelled, ReservationConfirmed, ReservationCreated } from '../contracts/events';
import { decide, evolve, replay, type ReservationCommand, type ReservationEvent } from '../domain/reservation';
import type { ReservationStore } from '../infrastructure/reservation-store';

const CONTRACTS = { ReservationCreated, ReservationConfirmed, ReservationCancelled } as const;

export interface Causation {
  correlationId?: string;
  causationId?: string | null;
}

function toEnvelope(event: ReservationEvent, now: number, cause: Causation): Envelope {
  const contract = CONTRACTS[event.type];
  return createEnvelope(contract, event.data as never, { key: event.data.reservationId, occurredAt: iso(now), ...cause });
}

/**
 * Load the stream, decide, append the new events and update the current-state row.
 * Must run inside a ReservationStore transaction; returns the events it appended (none if nothing changed).
 */
export function execute(store: ReservationStore, streamId: string, command: ReservationCommand, now: number, cause: Causation): ReservationEvent[] {
  const { events: past, version } = store.events.load(streamId);
  let state = replay(past);
  const events = decide(command, state);
  if (events.length === 0) return events;
  store.events.append(streamId, version, events.map((e) => toEnvelope(e, now, cause)));
  for (const e of events) state = evolve(state, e);
  if (state) store.view.save(state, version + events.length, iso(now));
  return events;
}
