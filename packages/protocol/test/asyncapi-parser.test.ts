import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractDocument } from '../src/index';
import { asyncApiProblems } from './support/asyncapi-problems';

const CHECKED_IN = join(__dirname, '..', 'contract', 'asyncapi.json');

/** The contract as other people's tools read it: the official AsyncAPI parser, not ours. */
describe('the AsyncAPI document under @asyncapi/parser', () => {
  it('parses the checked-in document with no error and no warning', async () => {
    expect(await asyncApiProblems(readFileSync(CHECKED_IN, 'utf8'))).toEqual([]);
  }, 30_000);

  it('catches a broken document: delivery mode as a message binding (the bug it once had)', async () => {
    const document = contractDocument() as {
      components: { messages: Record<string, Record<string, unknown>> };
    };
    document.components.messages['job']!['bindings'] = { amqp: { deliveryMode: 2 } };
    const problems = await asyncApiProblems(JSON.stringify(document));
    expect(problems).toEqual(
      expect.arrayContaining([
        'components.messages.job.bindings.amqp.deliveryMode: Property "deliveryMode" is not expected to be here',
      ]),
    );
  }, 30_000);
});
