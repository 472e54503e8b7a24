import { describe, expect, it } from 'vitest';
import { KeyedSignal } from './keyed-signal';

describe('keyed signal', () => {
  it('wakes the listeners of one key only', () => {
    const s = new KeyedSignal();
    const woke: string[] = [];
    s.on('a', () => woke.push('a'));
    s.on('b', () => woke.push('b'));
    s.notify('a');
    expect(woke).toEqual(['a']);
  });

  it('wakeups: once at once, once per burst of notifications, none left behind when the consumer stops', async () => {
    const s = new KeyedSignal();
    const it = s.wakeups('a');
    await it.next(); // the first look
    s.notify('a');
    s.notify('a');
    const second = it.next();
    await second;
    let third = false;
    const pending = it.next().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false); // nothing new since the second look
    s.notify('a');
    await pending;
    expect(s.listenerCount('a')).toBe(1);
    await it.return();
    expect(s.listenerCount()).toBe(0);
  });

  it('wakeups: an abort ends a consumer that is waiting, and removes its listener', async () => {
    const s = new KeyedSignal();
    const ac = new AbortController();
    const it = s.wakeups('a', ac.signal);
    await it.next();
    const waiting = it.next();
    ac.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(s.listenerCount()).toBe(0);
  });
});
