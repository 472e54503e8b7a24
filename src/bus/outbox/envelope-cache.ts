import type { Envelope } from '../envelope';

/**
 * Envelopes this process just wrote to an outbox, by row position, so the relay can skip parsing its
 * own JSON. A cached entry is used only when the row read back holds exactly the same text: a row from
 * a rolled-back transaction whose position was reused can never be mistaken for the cached one.
 */
export class EnvelopeCache {
  private readonly byPosition = new Map<number, { json: string; envelope: Envelope }>();

  remember(position: number, json: string, envelope: Envelope): void {
    this.byPosition.set(position, { json, envelope });
  }

  read(position: number, json: string): Envelope {
    const hit = this.byPosition.get(position);
    return hit && hit.json === json ? hit.envelope : (JSON.parse(json) as Envelope);
  }

  /** Everything up to `position` is dispatched. */
  forgetUpTo(position: number): void {
    for (const key of this.byPosition.keys()) {
      if (key > position) break; // insertion order is position order
      this.byPosition.delete(key);
    }
  }
}
