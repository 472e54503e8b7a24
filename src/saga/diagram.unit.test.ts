import { describe, expect, it } from 'vitest';
import { SAGA_STATES } from './definition';
import { sagaDiagram } from './diagram';

describe('sagaDiagram', () => {
  it('renders the definition as a Mermaid state diagram, one labelled edge per state pair', () => {
    expect(sagaDiagram()).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> AWAITING_PAYMENT: ReservationCreated',
        '  AWAITING_PAYMENT --> CONFIRMING: PaymentSucceeded',
        '  AWAITING_PAYMENT --> CONFIRMED: ReservationConfirmed',
        '  CONFIRMING --> CONFIRMED: ReservationConfirmed',
        '  AWAITING_PAYMENT --> COMPENSATING: PaymentFailed / deadline / ReservationCancelled',
        '  CONFIRMING --> COMPENSATING: ReservationCancelled',
        '  CONFIRMED --> COMPENSATING: ReservationCancelled',
        '  COMPENSATING --> CANCELLED: all compensations answered',
        '  CONFIRMED --> [*]',
        '  CANCELLED --> [*]',
        '',
      ].join('\n'),
    );
  });

  it('names every state of the definition', () => {
    const text = sagaDiagram();
    for (const s of SAGA_STATES) expect(text).toContain(s);
  });
});
