import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../../bus/envelope';
import { tempDir } from '../../../bus/testing/temp-dir';
import { openDatabase } from '../../../platform/sqlite';
import { paymentHistory } from '../application/payment-history';
import { PaymentSucceeded, RefundRequested } from '../contracts/events';
import { PAYMENT_MIGRATIONS, PaymentStore } from './payment-store';

describe('payment.db migrations', () => {
  it('upgrades a file made before charge attempts were kept: its captures and refunds are placed by time among its events', () => {
    const file = join(tempDir('payment-schema-'), 'payment.db');
    const old = openDatabase(file, PAYMENT_MIGRATIONS.slice(0, 2));
    const at = (s: number) => `2031-01-01T10:00:0${s}.000Z`;
    const add = (envelope: ReturnType<typeof createEnvelope>) =>
      old.prepare('INSERT INTO outbox (message_id, envelope, message_key) VALUES (?, ?, ?)').run(envelope.id, JSON.stringify(envelope), envelope.key);
    const op = old.prepare('INSERT INTO payment_operations (reservation_id, kind, amount, provider_ref, at) VALUES (?, ?, ?, ?, ?)');
    old
      .prepare(`INSERT INTO payments (reservation_id, payment_id, status, amount, currency, captured_amount, refunded_amount, created_at, updated_at)
                VALUES ('r1', 'p1', 'REFUNDED', 100, 'EUR', 100, 100, ?, ?)`)
      .run(at(0), at(3));
    op.run('r1', 'capture', 100, 'ch_1', at(1));
    add(createEnvelope(PaymentSucceeded, { reservationId: 'r1', paymentId: 'p1', amount: 100, currency: 'EUR' }, { key: 'r1', occurredAt: at(1) }));
    add(createEnvelope(RefundRequested, { reservationId: 'r1', paymentId: 'p1' }, { key: 'r1', occurredAt: at(2) }));
    op.run('r1', 'refund', 100, 're_1', at(3));
    old.close();

    const store = PaymentStore.open(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(PAYMENT_MIGRATIONS.length);
    const h = paymentHistory(store)({ reservationId: 'r1' });
    expect(h.map((e) => (e.kind === 'event' ? e.type : e.kind))).toEqual(['capture', 'payment.PaymentSucceeded', 'payment.RefundRequested', 'refund']);
    store.close();
  });
});
