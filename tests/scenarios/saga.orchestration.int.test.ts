import { sagaScenarios } from './saga-scenarios';

sagaScenarios('memory', { SAGA_MODE: 'orchestration' });
