import { amqpUrl } from './services';
import { sweepTestQueues } from './broker-sweep';

// `pnpm sweep:broker`: deletes the queues test runs left on the local broker (see
// sweepTestQueues). CI runs it before and between its suites.
sweepTestQueues().then(
  ({ total, deleted }) => {
    console.log(
      `sweep: ${deleted} test queue(s) deleted of ${total} on ${new URL(amqpUrl()).host}`,
    );
  },
  (error: unknown) => {
    console.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
