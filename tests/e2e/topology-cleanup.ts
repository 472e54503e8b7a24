import { connect } from 'amqplib';
import { Topology } from '../../src/bus/rabbitmq/topology';
import { defaultRetryPolicy } from '../../src/bus/ports';

/** Removes a test run's queues and exchange from the broker. */
export async function deleteTopology(url: string, prefix: string, groups: string[], retryRounds = defaultRetryPolicy.delayed): Promise<void> {
  const model = await connect(url);
  const ch = await model.createChannel();
  await new Topology(prefix, retryRounds).destroy(ch, groups);
  await model.close();
}
