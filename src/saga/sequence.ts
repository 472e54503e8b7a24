import { choreography } from './definition';
import type { SagaView } from './saga-queries';

type Who = 'Reservation' | 'Payment' | 'Saga';

const moduleOf = (type: string): Who => (type.startsWith('payment.') ? 'Payment' : 'Reservation');
const short = (type: string) => type.slice(type.indexOf('.') + 1);

/** In choreography an event goes to the module the definition maps it to (or only to the saga's log). */
function consumerOf(type: string, mode: SagaView['mode']): Who {
  if (mode === 'orchestration') return 'Saga';
  const route = choreography.find((c) => c.on.type === type);
  return route ? moduleOf(route.command.type) : 'Saga';
}

/**
 * A saga's real run as a Mermaid `sequenceDiagram`, from its step log: who sent what to whom, when
 * (ms after the start) and at which attempt; failures and ignored messages as notes.
 */
export function sagaSequence(saga: SagaView): string {
  const t0 = Date.parse(saga.startedAt);
  const lines = [
    'sequenceDiagram',
    `  %% saga ${saga.reservationId} (${saga.mode}), ${saga.state}`,
    '  participant Reservation',
    `  participant Saga as ${saga.mode === 'orchestration' ? 'Saga (orchestrator)' : 'Saga log (observer)'}`,
    '  participant Payment',
  ];
  for (const s of saga.steps) {
    const when = `+${Math.max(0, Date.parse(s.at) - t0)} ms`;
    const attempt = s.attempt > 1 ? `, attempt ${s.attempt}` : '';
    if (s.outcome.startsWith('failed')) {
      const group = s.outcome.match(/dead-lettered in (\S+)/)?.[1] ?? '';
      const where = group === 'payment' ? 'Payment' : group === 'reservation' ? 'Reservation' : 'Saga';
      lines.push(`  Note over ${where}: ${short(s.type)} ${s.outcome.replace(/:/g, ' -')} (${when})`);
      continue;
    }
    if (s.type === 'deadline') {
      lines.push(`  Note over Saga: payment deadline passed (${when})`);
      continue;
    }
    const label = `${short(s.type)} (${when}${attempt})`;
    if (s.kind === 'command' || (s.kind === 'compensation' && s.outcome.startsWith('sent'))) lines.push(`  Saga->>${moduleOf(s.type)}: ${label}`);
    else if (s.outcome.startsWith('applied')) {
      const from = moduleOf(s.type);
      const to = consumerOf(s.type, saga.mode);
      lines.push(`  ${from}-${s.kind === 'compensation' ? '->>' : '>>'}${to === from ? 'Saga' : to}: ${label}${s.stateAfter && s.stateAfter !== s.stateBefore ? ` → ${s.stateAfter}` : ''}`);
    } else lines.push(`  Note over Saga: ${short(s.type)} ${s.outcome.split(':')[0]} (${when})`);
  }
  lines.push(`  Note over Reservation,Payment: ${saga.state}${saga.endedAt ? ` after ${Date.parse(saga.endedAt) - t0} ms` : ''}`);
  return lines.join('\n');
}
