import { DEADLINE, SAGA_STATES, states, transitions } from './definition';

const label = (on: (typeof transitions)[number]['on']): string =>
  (Array.isArray(on) ? on : [on]).map((o) => (o === DEADLINE ? 'payment deadline' : (o.type.split('.')[1] ?? o.type))).join(' / ');

/**
 * The saga definition as a Mermaid `stateDiagram-v2`, generated from `transitions` (never drawn by hand):
 * `npm run saga:diagram` prints it, the README embeds it, the dashboard highlights the current state.
 * A compensation with nothing left to wait for passes through COMPENSATING to CANCELLED in the same step.
 */
export function sagaDiagram(current?: string): string {
  const lines = ['stateDiagram-v2'];
  for (const s of SAGA_STATES) lines.push(`  ${s}: ${s}`);
  for (const t of transitions) {
    for (const from of t.from) {
      const src = from === 'START' ? '[*]' : from;
      const on = label(t.on);
      if (t.compensate) lines.push(`  ${src} --> COMPENSATING: ${on}`);
      else if (t.answers) {
        lines.push(`  ${src} --> CANCELLED: ${on} (all compensations answered)`);
      } else if (t.whenOnlyReleasePending) lines.push(`  ${src} --> ${t.to}: ${on} (only the slot release was pending)`);
      else lines.push(`  ${src} --> ${t.to}: ${on}`);
    }
  }
  for (const s of SAGA_STATES) if (states[s].terminal) lines.push(`  ${s} --> [*]`);
  if (current && (SAGA_STATES as readonly string[]).includes(current)) lines.push('  classDef current fill:#ffd54f,stroke:#f57f17,stroke-width:3px', `  class ${current} current`);
  return lines.join('\n');
}
