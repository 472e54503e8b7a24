/**
 * The writer thread's module (platform/writer-thread): every kind of write the app may hand it. It sits
 * beside the composition root because it joins two parts of the app; each kind lives with its owner.
 */
import { hostWriters } from './platform/writer-thread/host';
import { openProjectorTarget, PROJECTOR_WRITER } from './read-model/projector-client';
import { openObserverTarget, OBSERVER_WRITER } from './saga/observer-writer';

hostWriters({ [PROJECTOR_WRITER]: openProjectorTarget, [OBSERVER_WRITER]: openObserverTarget });
