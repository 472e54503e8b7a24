import { sagaScenarios } from './saga-scenarios';

sagaScenarios('memory');
