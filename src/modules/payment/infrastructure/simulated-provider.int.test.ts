import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../bus/testing/temp-dir';
import { systemClock } from '../../../platform/clock';
import { ProviderUnavailableError } from '../application/payment-gateway';
import { SimulatedProvider } from './simulated-provider';

const open = () => new SimulatedProvider(join(tempDir('provider-'), 'provider.db'), systemClock);
const charge = (token: string, key = 'res-1') => ({ idempotencyKey: key, amount: 1_000, currency: 'EUR', token });

describe('simulated provider', () => {
  it('answers a repeated key with the first answer and captures once, even when the repeats arrive together', async () => {
    const provider = open();
    const answers = await Promise.all([provider.charge(charge('tok_ok')), provider.charge(charge('tok_ok')), provider.charge(charge('tok_ok'))]);
    const again = await provider.charge(charge('tok_ok'));
    expect(new Set([...answers, again].map((a) => (a.outcome === 'captured' ? a.providerRef : a.outcome))).size).toBe(1);
    expect(provider.ledger().get('res-1')).toMatchObject({ captures: 1, captured: 1_000, net: 1_000 });
    provider.close();
  });

  it('keeps a decline as the answer for its key', async () => {
    const provider = open();
    const first = await provider.charge(charge('tok_decline'));
    expect(first).toMatchObject({ outcome: 'declined', code: 'card_declined' });
    expect(await provider.charge(charge('tok_decline'))).toEqual(first);
    expect(provider.ledger().get('res-1')).toMatchObject({ captures: 0, net: 0 });
    provider.close();
  });

  it('fails a flaky token twice, then captures; a repeat after the capture does not count as another attempt', async () => {
    const provider = open();
    await expect(provider.charge(charge('tok_flaky'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.charge(charge('tok_flaky'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    const captured = await provider.charge(charge('tok_flaky'));
    expect(captured.outcome).toBe('captured');
    expect(await provider.charge(charge('tok_flaky'))).toEqual(captured);
    expect(provider.ledger().get('res-1')).toMatchObject({ captures: 1, net: 1_000 });
    provider.close();
  });
});
