import { describeWithRabbit } from '../../src/bus/testing/brokers';
import { sagaScenarios } from './saga-scenarios';

await describeWithRabbit('saga scenarios on RabbitMQ', () => sagaScenarios('rabbitmq'));
