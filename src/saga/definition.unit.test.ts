import { describe, expect, it } from 'vitest';
import { paymentCommands } from '../modules/payment/contracts/commands';
import { paymentContracts, RefundRequested } from '../modules/payment/contracts/events';
import { reservationCommands } from '../modules/reservation/contracts/commands';
import { reservationContracts } from '../modules/reservation/contracts/events';
import { choreography, compensations, sagaCommands, sagaEvents, states, steps } from './definition';

const known = new Set([...reservationContracts, ...paymentContracts, ...reservationCommands, ...paymentCommands].map((c) => c.name));

describe('the reservation–payment saga definition', () => {
  it('gives every forward step a named compensation with a command and its replies', () => {
    for (const [name, step] of Object.entries(steps)) {
      const c = compensations[step.compensation];
      expect(c, name).toBeDefined();
      expect(c.replies.length, name).toBeGreaterThan(0);
    }
  });

  it('names only messages that have contracts', () => {
    const named = [...Object.values(steps).flatMap((s) => [...(s.command ? [s.command] : []), ...s.replies]), ...Object.values(compensations).flatMap((c) => [c.command, ...c.replies]), ...choreography.flatMap((c) => [c.command, c.on])];
    for (const c of named) expect(known.has(c.name), c.name).toBe(true);
  });

  it('covers every message the modules publish (RefundRequested is payment’s own command to itself)', () => {
    const covered = new Set([...sagaEvents, ...sagaCommands, RefundRequested].map((c) => c.name));
    expect([...known].filter((n) => !covered.has(n))).toEqual([]);
  });

  it('maps every saga command onto an event in choreography, and says what each terminal state guarantees', () => {
    for (const c of sagaCommands) expect(choreography.some((r) => r.command === c), c.name).toBe(true);
    expect(Object.entries(states).filter(([, s]) => s.terminal).map(([n]) => n)).toEqual(['CONFIRMED', 'CANCELLED']);
  });
});
