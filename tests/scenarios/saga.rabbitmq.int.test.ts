import { describeWithRabbit } from '../../src/bus/testing/brokers';
import { sagaScenarios } from './saga-scenarios';
import { SAGA_MODES } from './system';

await describeWithRabbit('saga scenarios on RabbitMQ', () => {
  for (const mode of SAGA_MODES) sagaScenarios('rabbitmq', mode);
});
