import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, expect, it } from 'vitest';
import type { AppRouter } from '../../src/api/router';
import { describeWithRabbit, RABBITMQ_URL, uniquePrefix } from '../../src/bus/testing/brokers';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { reservationInput } from '../scenarios/system';
import { eventually, kill9, startServer, type ServerProcess } from '../e2e/processes';
import { deleteTopology } from '../e2e/topology-cleanup';
import { startOtlpReceiver, type ReceivedSpan } from './otlp-receiver';

const receiver = await startOtlpReceiver();
const prefix = uniquePrefix('split-trace');
const env = {
  BUS: 'rabbitmq',
  RABBITMQ_URL,
  RABBITMQ_PREFIX: prefix,
  DATA_DIR: tempDir('split-trace-'),
  ADMIN_TOKEN: 'split-trace-admin-token-123',
  // Standard OpenTelemetry variables: export over OTLP/HTTP JSON to the receiver, in small, quick batches.
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
};
const running: ServerProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map(kill9));
  await receiver.close();
  await deleteTopology(RABBITMQ_URL, prefix, ['reservation', 'payment']).catch(() => undefined);
});

await describeWithRabbit('tracing across processes on RabbitMQ (split mode)', () => {
  it('one trace per saga across the reservation and payment processes', async () => {
    running.push(await startServer(env, ['--module', 'reservation']), await startServer(env, ['--module', 'payment']));
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: running[0]!.url })] });
    const tokens = ['tok_ok', 'tok_decline', 'tok_ok'];
    const ids: string[] = [];
    // One saga at a time, so that each relay publishes every message alone, under a span in the saga's
    // tree (a batch of several gets one span linked to each message: tracing.e2e.test.ts).
    for (const paymentToken of tokens) {
      ids.push((await api.reservation.create.mutate(reservationInput({ paymentToken }))).id);
      await eventually(async () => (await api.reservation.list.query({ status: 'PENDING', limit: 1 })).items.length === 0, 30_000, 'the saga to end');
    }

    const traceOf = (id: string) => receiver.spans.find((s) => s.name === 'process reservation.ReservationCreated' && s.attributes['messaging.message.conversation_id'] === id)?.traceId;
    const outcomeOf = (i: number) => (tokens[i] === 'tok_decline' ? 'PaymentFailed' : 'PaymentSucceeded');
    /** The spans one saga's assertions read: name and the process (service) that exports it. */
    const expected = (i: number) =>
      ({
        request: ['POST /trpc/reservation.create', 'consistency-lab-reservation'],
        created: ['create reservation.ReservationCreated', 'consistency-lab-reservation'],
        publishCreated: ['publish reservation.ReservationCreated', 'consistency-lab-reservation'],
        payment: ['process reservation.ReservationCreated', 'consistency-lab-payment'],
        charge: ['payment-provider charge', 'consistency-lab-payment'],
        publishOutcome: [`publish payment.${outcomeOf(i)}`, 'consistency-lab-payment'],
        reservation: [`process payment.${outcomeOf(i)}`, 'consistency-lab-reservation'],
      }) satisfies Record<string, [string, string]>;
    // Each process exports on its own schedule: the payment process's publish span ends at the broker's
    // confirm, which can come after the reservation process has handled that message and exported its
    // span. So wait for every span the assertions read, from both processes, not for the last hop alone.
    const exported = (i: number) => {
      const traceId = traceOf(ids[i]!);
      return traceId !== undefined && Object.values(expected(i)).every(([name, service]) => receiver.spans.some((s) => s.traceId === traceId && s.name === name && s.service === service));
    };
    await eventually(async () => ids.every((_, i) => exported(i)), 30_000, 'both processes to export every span of every saga');

    const traceIds = ids.map((id) => traceOf(id) as string);
    expect(new Set(traceIds).size).toBe(3);
    for (const [i, traceId] of traceIds.entries()) {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      const outcome = outcomeOf(i);
      // The saga's observer and the read model process the same events beside the modules: filtered out here.
      const one = ([name, service]: [string, string]): ReceivedSpan => {
        const found = spans.filter((s) => s.name === name && s.service === service && !['saga-observer', 'read-model'].includes(String(s.attributes['messaging.consumer.group.name'])));
        expect(found, `${name} from ${service}`).toHaveLength(1);
        return found[0]!;
      };
      const want = expected(i);
      const request = one(want.request);
      const created = one(want.created);
      const payment = one(want.payment);
      const charge = one(want.charge);
      const reservation = one(want.reservation);
      expect(request.parentSpanId).toBe('');
      expect(created.parentSpanId).toBe(request.spanId);
      expect(one(want.publishCreated).parentSpanId).toBe(created.spanId);
      expect(payment.parentSpanId).toBe(created.spanId); // across the broker, from the envelope's headers
      expect(charge.parentSpanId).toBe(payment.spanId);
      // The outcome's creation context is the payment handler's span (a handler's messages get no create span):
      expect(one(want.publishOutcome).parentSpanId).toBe(payment.spanId);
      expect(reservation.parentSpanId).toBe(payment.spanId); // and back, across the broker
      expect(spans.some((s) => s.name === `create payment.${outcome}`)).toBe(false);
      expect(payment.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation.type': 'process', 'messaging.consumer.group.name': 'payment' });
    }
  });
});
