import { sagaScenarios } from './saga-scenarios';
import { SAGA_MODES } from './system';

for (const mode of SAGA_MODES) sagaScenarios('memory', mode);
