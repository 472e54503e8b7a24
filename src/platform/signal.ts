/** A tiny synchronous notification: "something was committed", used to wake relays without polling. */
export class Signal {
  private listeners: Array<() => void> = [];
  on(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }
  notify(): void {
    for (const l of this.listeners) l();
  }
}
