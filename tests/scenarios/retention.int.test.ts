import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7Prefix } from '../../src/platform/ids';
import { startSystem, type System } from './system';

const HOUR = 3_600_000;

/**
 * INBOX_RETENTION_MS: inbox records of messages older than the window are forgotten; inside the window a
 * duplicate is still refused. Off by default: then nothing is ever forgotten.
 */
describe('inbox retention', () => {
  let sys: System | undefined;
  afterEach(async () => {
    await sys?.stop();
    sys = undefined;
  });

  const inboxRows = (s: System, messageId: string) =>
    (s.app.payment.store.db.prepare('SELECT COUNT(*) AS n FROM inbox WHERE message_id = ?').get(messageId) as { n: number }).n;

  it('refuses a duplicate inside the window, and forgets its record once the window has passed', async () => {
    // The window is measured on the app's clock against the time in each message id (UUIDv7, the system clock): start them together.
    const s = (sys = await startSystem({ env: { INBOX_RETENTION_MS: String(HOUR) }, clockStart: Date.now() }));
    const r = await s.create();
    await s.settle();
    expect(s.reservation(r.id).status).toBe('CONFIRMED');
    const created = s.app.reservation.messagesOf(r.id)[0]!;
    expect(inboxRows(s, created.id)).toBe(1);

    await s.advance(HOUR / 2);
    await s.app.bus.redeliver('payment', created); // a duplicate, half-way through the window
    await s.settle();
    expect(s.ledgerOf(r.id)).toMatchObject({ captures: 1, net: 5_000 });
    expect(inboxRows(s, created.id)).toBe(1);

    await s.advance(HOUR); // the next sweep after the window forgets it, in every file with an inbox
    expect(inboxRows(s, created.id)).toBe(0);
    for (const db of [s.app.reservation.store.db, s.app.payment.store.db, s.app.readModel.store.db]) {
      const left = db.prepare('SELECT COUNT(*) AS n FROM inbox WHERE message_id < ?').get(uuidv7Prefix(s.clock.now() - HOUR)) as { n: number };
      expect(left.n).toBe(0);
    }
    s.check();
  });

  it('keeps every record when it is off (the default)', async () => {
    const s = (sys = await startSystem({ clockStart: Date.now() }));
    const r = await s.create();
    await s.settle();
    const created = s.app.reservation.messagesOf(r.id)[0]!;
    await s.advance(2 * HOUR);
    expect(inboxRows(s, created.id)).toBe(1);
  });

  it('writes the bound as a UUIDv7 writes its time: ids made at or after it sort after it', () => {
    expect(uuidv7Prefix(0x01a234b438d0)).toBe('01a234b4-38d0');
    expect('01a234b4-38d0-7000-8000-000000000000' > uuidv7Prefix(0x01a234b438d0)).toBe(true);
    expect('01a234b4-38cf-7fff-bfff-ffffffffffff' < uuidv7Prefix(0x01a234b438d0)).toBe(true);
  });
});
