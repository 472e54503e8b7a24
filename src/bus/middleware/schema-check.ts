import { z } from 'zod';
import { contractIndex } from '../contract-index';
import { checkedBy, type Contract } from '../envelope';
import { SchemaError } from '../errors';
import type { Middleware } from '../ports';
import { Upcasters } from '../upcasters';

/**
 * Innermost: finds the contract for the message's type and version and validates the payload, or refuses
 * it for good. A payload this process created with the very same contract was checked then and is not
 * checked again (under callgrind, ~3% of a saga's instructions); anything decoded from a wire or a
 * database is. An older version of a contract the group reads is lifted by the contracts' upcasters
 * (a broker backlog, a delayed retry or a dead letter written before the new version): the handler
 * sees the envelope at the version it subscribed to, while the delivery keeps the one received (dead
 * letters store what came in).
 */
export const schemaCheck = (contracts: readonly Contract[]): Middleware => {
  const contractFor = contractIndex(contracts);
  const upcasters = new Upcasters(contracts);
  const readable = upcasters.readable().map((c) => (contracts.includes(c) ? c.name : `${c.name} (upcast)`));
  const accepted = readable.join(', ');
  const refuse = (message: string) => Promise.reject(new SchemaError(message));
  // Not an async function: it only hands over to `next`, so it returns `next`'s promise (or a rejected
  // one) instead of wrapping it in one more promise per message.
  return (next) => (d) => {
    if (d.decodeError) return refuse(`undecodable message: ${d.decodeError}`);
    const { type, version, payload } = d.envelope;
    const contract = contractFor(type, version);
    if (!contract) {
      if (!upcasters.contractFor(type, version)) return refuse(`no contract for ${type} version ${version} in group "${d.group}"; accepted: ${accepted}`);
      try {
        d.upcast = upcasters.lift(d.envelope);
      } catch (error) {
        return Promise.reject(error);
      }
      d.payload = d.upcast.payload;
      return next(d);
    }
    if (checkedBy(payload) === contract) {
      d.payload = payload; // checked by this very contract when it was created in this process
      return next(d);
    }
    const parsed = contract.schema.safeParse(payload);
    if (!parsed.success) return refuse(`payload of ${contract.name} is invalid: ${z.prettifyError(parsed.error)}`);
    d.payload = parsed.data;
    return next(d);
  };
};
