import type { EventSource } from './event-source';
import { addEvent, emptyFacts, projectedContract, type Facts } from './facts';
import { toOverview, type Overview } from './overview';
import { sagaStateOf } from './saga-state';

const BATCH = 1_000;

/**
 * The overview folded afresh, in memory, from the whole of both histories in their own order: what the
 * read model must equal once it has applied everything (the scenario checks compare the two).
 */
export function foldHistories(sources: readonly EventSource[]): Overview[] {
  const facts = new Map<string, Facts>();
  for (const source of sources) {
    for (let after = 0; ; ) {
      const rows = source.read(after, BATCH);
      if (rows.length === 0) break;
      for (const { position, envelope } of rows) {
        after = position;
        const contract = projectedContract(envelope.type, envelope.version);
        if (!contract) continue;
        const payload = contract.schema.parse(envelope.payload) as { reservationId: string };
        const f = facts.get(payload.reservationId) ?? emptyFacts(payload.reservationId);
        addEvent(f, contract, payload, envelope.occurredAt);
        facts.set(payload.reservationId, f);
      }
    }
  }
  const rows: Overview[] = [];
  for (const f of facts.values()) {
    const row = toOverview(f, sagaStateOf(f));
    if (row) rows.push(row);
  }
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}
