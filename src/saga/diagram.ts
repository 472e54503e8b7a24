import { DEADLINE, SAGA_STATES, states, transitions, type Transition } from './definition';

/** A trigger as the diagram labels it: the contract's type without its module prefix, or "deadline". */
const triggerLabel = (on: Transition['on']): string[] =>
  (Array.isArray(on) ? on : [on]).map((t) => (t === DEADLINE ? 'deadline' : (t as { type: string }).type.split('.').pop() ?? ''));

/**
 * The saga definition (definition.ts) as a Mermaid `stateDiagram-v2`: one edge per (from, to) pair,
 * labelled with every trigger that takes it; START is `[*]`, terminal states lead to `[*]`. The
 * dashboard highlights the current state with a classDef; `npm run saga:diagram` prints it.
 */
export function sagaDiagram(): string {
  const edges = new Map<string, string[]>();
  for (const t of transitions) {
    // The replies that end compensations move on only once none is pending.
    const labels = t.answers ? ['all compensations answered'] : triggerLabel(t.on);
    for (const from of t.from) {
      const key = `${from === 'START' ? '[*]' : from} --> ${t.to}`;
      const have = edges.get(key) ?? [];
      edges.set(key, [...have, ...labels.filter((l) => !have.includes(l))]);
    }
  }
  const lines = ['stateDiagram-v2', ...[...edges].map(([edge, labels]) => `  ${edge}: ${labels.join(' / ')}`)];
  for (const s of SAGA_STATES) if (states[s].terminal) lines.push(`  ${s} --> [*]`);
  return `${lines.join('\n')}\n`;
}
