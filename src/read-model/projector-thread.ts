/**
 * The projector thread's entry: the read model's writes on the other core. It holds its own connection
 * to each read-model.db the app opened and folds the events the app's consumer group hands it, each
 * batch in group-committed IMMEDIATE transactions (the app's connection writes too, during a rebuild).
 * The live generation is read inside each transaction, so a rebuild's switch, committed on the app's
 * connection, is seen by the very next write.
 */
import { parentPort } from 'node:worker_threads';
import { projectedContractByName } from './facts';
import { ReadModelStore } from './infrastructure/read-model-store';
import { applyEvent } from './projector';
import { toThreadError, type ApplyResult, type FromProjector, type ToProjector } from './projector-protocol';

if (!parentPort) throw new Error('projector-thread.ts runs as a worker thread (projector-client.ts starts it)');
const port = parentPort;
const stores = new Map<number, ReadModelStore>();
const post = (m: FromProjector) => port.postMessage(m);

port.on('message', (m: ToProjector) => {
  switch (m.op) {
    case 'open':
      try {
        stores.set(m.handle, ReadModelStore.open(m.file, { ownThread: true }));
      } catch (error) {
        post({ op: 'failed', handle: m.handle, error: toThreadError(error) });
      }
      return;
    case 'close':
      stores.get(m.handle)?.close();
      stores.delete(m.handle);
      return;
    case 'apply': {
      const store = stores.get(m.handle);
      if (!store) {
        const error = toThreadError(new Error('read-model.db is not open in the projector thread (it failed to open, or the app closed it)'));
        post({ op: 'applied', results: m.items.map((i) => ({ k: i.k, ok: false, error })) });
        return;
      }
      const writes = m.items.map((i) =>
        store
          .write(() => {
            const contract = projectedContractByName(i.contract);
            return applyEvent(store, store.liveGeneration(), i.source, contract, i, i.payload);
          })
          .then(
            (applied): ApplyResult => ({ k: i.k, ok: true, applied }),
            (error: unknown): ApplyResult => ({ k: i.k, ok: false, error: toThreadError(error) }),
          ),
      );
      void Promise.all(writes).then((results) => post({ op: 'applied', results }));
      return;
    }
  }
});
