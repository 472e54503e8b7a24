import type { ReadinessCheck } from '../platform/readiness';
import type { OutboxRelay } from './outbox/relay';
import type { Transport } from './ports';

/** A broker transport is ready while connected (not while amqplib is reconnecting after the broker went away). */
export const brokerConnected = (transport: Transport, where: string): ReadinessCheck => ({
  name: transport.name,
  check: () => (transport.connected === false ? `not connected to ${transport.name} at ${where}; reconnecting` : null),
});

/** Every outbox relay is started (and not stopped): without one, its module's events stay in its outbox. */
export const relaysStarted = (relays: ReadonlyArray<{ name: string; relay: Pick<OutboxRelay, 'started'> }>): ReadinessCheck => ({
  name: 'outbox relays',
  check: () => {
    const stopped = relays.filter((r) => !r.relay.started).map((r) => r.name);
    return stopped.length === 0 ? null : `outbox relay not running: ${stopped.join(', ')}`;
  },
});
