import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../bus/testing/temp-dir';
import { openDatabase } from '../../../platform/sqlite';
import { ReservationStore } from './reservation-store';
import { RESERVATION_MIGRATIONS } from './schema';

describe('reservation.db migrations', () => {
  it('upgrades a file made before cancellation notes existed, keeping its rows', () => {
    const file = join(tempDir('schema-'), 'reservation.db');
    const old = openDatabase(file, RESERVATION_MIGRATIONS.slice(0, 1));
    old
      .prepare(`INSERT INTO reservations (id, customer_id, resource_id, starts_at, ends_at, amount, currency, status, payment_deadline, version, created_at, updated_at)
                VALUES ('r1', 'c1', 'room', '2031-01-01T10:00:00.000Z', '2031-01-01T11:00:00.000Z', 100, 'EUR', 'PENDING', '2031-01-01T09:00:00.000Z', 1, 'x', 'x')`)
      .run();
    old.close();

    const store = ReservationStore.open(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(RESERVATION_MIGRATIONS.length);
    expect(store.view.get('r1')).toMatchObject({ id: 'r1', status: 'PENDING', cancellationNote: null });
    store.close();
  });
});
