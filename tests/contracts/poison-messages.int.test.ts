import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../src/bus/envelope';
import { RabbitTransport } from '../../src/bus/rabbitmq/rabbitmq-transport';
import { describeWithRabbit, RABBITMQ_URL } from '../../src/bus/testing/brokers';
import { ReservationCreated } from '../../src/modules/reservation/contracts/events';
import { reservationContracts } from '../../src/modules/reservation/contracts/events';
import { startSystem, type BusKind, type System } from '../scenarios/system';

const created = (id: string): Envelope =>
  createEnvelope(
    ReservationCreated,
    {
      reservationId: id,
      customerId: 'c',
      resourceId: 'r',
      startsAt: '2030-01-01T00:00:00.000Z',
      endsAt: '2030-01-01T01:00:00.000Z',
      amount: 100,
      currency: 'EUR',
      paymentToken: 'tok_ok_poison_secret',
      paymentDeadline: '2030-01-01T00:00:00.000Z',
      channel: 'api',
    },
    { key: id, occurredAt: new Date().toISOString() },
  );

function poisonSuite(bus: BusKind) {
  let sys: System | null = null;
  afterEach(async () => {
    await sys?.stop();
    sys = null;
  });

  describe(`poison messages on ${bus}: dead-lettered at once with the reason, nothing blocked, nothing crashed`, () => {
    it('wrong version, schema-invalid payload and unknown type', async () => {
      const s = (sys = await startSystem({ bus }));
      const base = created('p1');
      const wrongVersion = { ...base, id: 'poison-version', version: 9 };
      const badPayload = { ...base, id: 'poison-payload', payload: { reservationId: 5 } };
      const unknownType = { ...base, id: 'poison-type', type: 'reservation.SomethingElse' };
      await s.app.bus.publish([wrongVersion, badPayload]);
      await s.app.bus.redeliver('payment', unknownType); // reaches a consumer that knows no such type
      // The next, valid message still goes through.
      const ok = await s.create();
      await s.advance(1_000);
      expect(s.reservation(ok.id).status).toBe('CONFIRMED');
      const dead = s.app.deadLetters.list({ group: 'payment' }).items;
      const reason = (id: string) => dead.find((d) => d.messageId === id);
      expect(reason('poison-version')).toMatchObject({ attempts: 1, errorMessage: expect.stringMatching(/no contract for reservation.ReservationCreated version 9/) });
      expect(reason('poison-payload')).toMatchObject({ attempts: 1, errorMessage: expect.stringMatching(/payload of reservation.ReservationCreated.v2 is invalid/) });
      expect(reason('poison-type')).toMatchObject({ attempts: 1, errorMessage: expect.stringMatching(/no contract for reservation.SomethingElse/) });
      // Views mask what a contract marks sensitive; the stored original is intact for replay.
      expect(JSON.stringify(dead)).not.toContain('tok_ok_poison_secret');
      s.check({ allTerminal: false });
    });
  });
}

poisonSuite('memory');
await describeWithRabbit('poison messages on RabbitMQ', () => {
  poisonSuite('rabbitmq');

  it('invalid JSON and bytes that are not an envelope are dead-lettered at once with the reason', async () => {
    const sys = await startSystem({ bus: 'rabbitmq' });
    try {
      const transport = (sys.app.bus.transport as RabbitTransport);
      const queue = transport.topology.queue('payment');
      const model = await connect(RABBITMQ_URL);
      const ch = await model.createChannel();
      ch.sendToQueue(queue, Buffer.from('{"id": "broken'), { messageId: 'raw-json', persistent: true });
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ hello: 'world' })), { messageId: 'raw-shape', persistent: true });
      await ch.close();
      await model.close();
      const ok = await sys.create();
      await sys.advance(1_000);
      expect(sys.reservation(ok.id).status).toBe('CONFIRMED');
      const dead = sys.app.deadLetters.list({ group: 'payment' }).items;
      expect(dead.find((d) => d.messageId === 'raw-json')).toMatchObject({ attempts: 1, errorMessage: expect.stringMatching(/undecodable message: invalid JSON/) });
      expect(dead.find((d) => d.messageId === 'raw-shape')).toMatchObject({ attempts: 1, errorMessage: expect.stringMatching(/not a valid envelope/) });
      void reservationContracts;
    } finally {
      await sys.stop();
    }
  });
});
