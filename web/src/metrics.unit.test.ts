import { describe, expect, it } from 'vitest';
import { figures, parsePrometheus } from './metrics';

describe('Prometheus text for the operations page', () => {
  const text = [
    '# HELP sagas_completed_total Sagas that reached a terminal state',
    '# TYPE sagas_completed_total counter',
    'sagas_completed_total{state="CONFIRMED"} 40',
    'sagas_completed_total{state="CANCELLED"} 2',
    'outbox_pending{module="reservation"} 3',
    'outbox_pending{module="payment"} 1',
    'dead_letters_open 5',
    'read_model_projection_lag_events 7',
    'http_request_duration_seconds_bucket{le="0.1"} 9',
    'garbage line',
  ].join('\n');

  it('reads samples with their labels and skips comments and junk', () => {
    const samples = parsePrometheus(text);
    expect(samples[0]).toEqual({ name: 'sagas_completed_total', labels: { state: 'CONFIRMED' }, value: 40 });
    expect(samples).toHaveLength(7);
  });

  it('finds the four figures by name, summed over labels', () => {
    expect(figures(parsePrometheus(text))).toEqual({ sagasEnded: 42, outboxPending: 4, deadLetters: 5, projectionLagEvents: 7 });
    expect(figures([])).toEqual({ sagasEnded: null, outboxPending: null, deadLetters: null, projectionLagEvents: null });
  });

  it("pins the server's own names: open dead letters only, sagas ended from the duration histogram's count", () => {
    const server = [
      'saga_duration_seconds_bucket{mode="orchestrated",outcome="CONFIRMED",le="1"} 3',
      'saga_duration_seconds_count{mode="orchestrated",outcome="CONFIRMED"} 3',
      'saga_duration_seconds_count{mode="orchestrated",outcome="CANCELLED"} 1',
      'outbox_pending_messages{module="reservation"} 2',
      'outbox_oldest_pending_age_seconds{module="reservation"} 0.5',
      'bus_dead_letters{group="payment",status="open"} 3',
      'bus_dead_letters{group="payment",status="replayed"} 4',
      'projection_lag_events{projection="overview"} 6',
    ].join('\n');
    expect(figures(parsePrometheus(server))).toEqual({ sagasEnded: 4, outboxPending: 2, deadLetters: 3, projectionLagEvents: 6 });
    expect(figures(parsePrometheus('bus_dead_letters{group="payment",status="replayed"} 4')).deadLetters).toBe(0);
  });
});
