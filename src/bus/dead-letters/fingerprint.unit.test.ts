import { describe, expect, it } from 'vitest';
import { errorTypeFromStack, fingerprintOf, normaliseFrame, normaliseMessage, topFrames, type FailureFacts } from './fingerprint';

/** A V8 stack as the payment handler produces it during an outage, at a given checkout and line. */
const outageStack = (root: string, line: number, id: string) =>
  [
    `ProviderUnavailableError: provider unavailable for reservation ${id} (attempt ${line % 7})`,
    `    at SimulatedProvider.failIfOutage (${root}/src/modules/payment/infrastructure/simulated-provider.ts:${line}:34)`,
    `    at SimulatedProvider.charge (${root}/src/modules/payment/infrastructure/simulated-provider.ts:${line - 70}:10)`,
    `    at ${root}/src/modules/payment/application/charge-payment.ts:${line - 108}:20`,
    `    at Object.handle (${root}/src/modules/payment/subscriptions.ts:28:50)`,
    `    at MemoryTransport.run (${root}/src/bus/memory/memory-transport.ts:94:13)`,
  ].join('\n');

const outage = (over: Partial<FailureFacts> = {}): FailureFacts => ({
  group: 'payment',
  type: 'reservation.ReservationCreated',
  errorType: 'ProviderUnavailableError',
  errorMessage: 'provider unavailable for reservation 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  errorStack: outageStack('/work/app', 157, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'),
  ...over,
});

describe('dead-letter fingerprint', () => {
  it('groups the same failure with other ids, line numbers and checkout paths together', () => {
    const a = fingerprintOf(outage());
    const b = fingerprintOf(
      outage({
        errorMessage: 'provider unavailable for reservation 0190ffff-0000-7000-8000-000000000001',
        errorStack: outageStack('/home/ci/build-42/consistency-lab', 161, '0190ffff-0000-7000-8000-000000000001'),
      }),
    );
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.frames).toEqual([
      'SimulatedProvider.failIfOutage src/modules/payment/infrastructure/simulated-provider.ts',
      'SimulatedProvider.charge src/modules/payment/infrastructure/simulated-provider.ts',
      'src/modules/payment/application/charge-payment.ts',
    ]);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('looks only at the top three frames: a different caller further down changes nothing', () => {
    const deeper = outage().errorStack!.replace('subscriptions.ts:28:50', 'other-entry.ts:3:1');
    expect(fingerprintOf(outage({ errorStack: deeper })).fingerprint).toBe(fingerprintOf(outage()).fingerprint);
  });

  it("skips Node's own scheduling frames, which come and go between two async frames", () => {
    const lines = outage().errorStack!.split('\n');
    const scheduled = [
      ...lines.slice(0, 3),
      '    at runNextTicks (node:internal/process/task_queues:60:5)',
      '    at process.processImmediate (node:internal/timers:454:9)',
      ...lines.slice(3),
    ].join('\n');
    expect(fingerprintOf(outage({ errorStack: scheduled }))).toEqual(fingerprintOf(outage()));
  });

  it('keeps different causes apart: error type, top frames, consumer group, message type', () => {
    const base = fingerprintOf(outage()).fingerprint;
    const otherThrowSite = outage().errorStack!.replace('SimulatedProvider.failIfOutage', 'SimulatedProvider.checkLimits');
    const others = [
      outage({ errorType: 'TypeError' }),
      outage({ errorStack: otherThrowSite }),
      outage({ errorStack: outage().errorStack!.replace('charge-payment.ts', 'refund-payment.ts') }),
      outage({ group: 'reservation' }),
      outage({ type: 'payment.RefundRequested' }),
    ].map((f) => fingerprintOf(f).fingerprint);
    expect(new Set([base, ...others]).size).toBe(6);
  });

  it('falls back to the message with ids and numbers blanked when the error has no frames', () => {
    const noStack = (message: string) => fingerprintOf(outage({ errorStack: null, errorMessage: message })).fingerprint;
    expect(noStack('no payment for reservation res-0190a1b2 after 3 tries')).toBe(noStack('no payment for reservation res-77f2 after 12 tries'));
    expect(noStack('no payment for reservation res-1')).not.toBe(noStack('card expired for reservation res-1'));
    expect(normaliseMessage('order 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b: 5000 EUR on port 5672')).toBe('order <id>: <id> EUR on port <id>');
  });

  it('normalises frames of every shape V8 writes', () => {
    expect(normaliseFrame('async Promise.all (index 0)')).toBe('Promise.all index 0');
    expect(normaliseFrame('new Foo (file:///srv/app/src/a/foo.ts:1:2)')).toBe('Foo src/a/foo.ts');
    expect(normaliseFrame('Object.run (/srv/app/node_modules/.pnpm/x@1/node_modules/x/index.js:10:5)')).toBe('Object.run node_modules/x/index.js');
    expect(normaliseFrame('process.processTicksAndRejections (node:internal/process/task_queues:95:5)')).toBe('process.processTicksAndRejections node:internal/process/task_queues');
    expect(normaliseFrame('C:\\work\\app\\src\\bus\\x.ts:3:4')).toBe('src/bus/x.ts');
    expect(normaliseFrame('/opt/elsewhere/handler.js:3:4')).toBe('handler.js');
    expect(topFrames('Error: two\nline message\n    at a (/x/src/a.ts:1:1)\n    at b (/x/src/b.ts:2:2)', 3)).toEqual(['a src/a.ts', 'b src/b.ts']);
  });

  it('reads the error type from a stack header for records stored without one', () => {
    expect(errorTypeFromStack(outage().errorStack)).toBe('ProviderUnavailableError');
    expect(errorTypeFromStack('SchemaError\n    at x (/a/src/x.ts:1:1)')).toBe('SchemaError');
    expect(errorTypeFromStack('provider said: no')).toBe('Error');
    expect(errorTypeFromStack(null)).toBe('Error');
  });
});
