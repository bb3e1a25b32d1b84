import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  contractJson,
  MESSAGE_REQUIREMENTS_FILE,
  messageRequirementsMarkdown,
  MESSAGE_SPECS,
  namesFor,
  templateNames,
} from '../src/index';

describe('contract document', () => {
  it('is checked in up to date (run `pnpm contract` after changing the protocol)', () => {
    const checkedIn = readFileSync(join(__dirname, '..', 'contract', 'asyncapi.json'), 'utf8');
    expect(checkedIn).toBe(contractJson());
  });

  it('lists what each message must carry, checked in up to date (run `pnpm contract`)', () => {
    const checkedIn = readFileSync(join(__dirname, '..', MESSAGE_REQUIREMENTS_FILE), 'utf8');
    expect(checkedIn).toBe(messageRequirementsMarkdown());
    for (const spec of MESSAGE_SPECS) {
      expect(checkedIn).toContain(`## ${spec.name}\n`);
      for (const field of spec.required) expect(checkedIn).toContain(`\`${field.name}\``);
    }
  });

  it('names every exchange of the namespace', () => {
    const document = JSON.parse(contractJson()) as {
      channels: Record<string, { address: string }>;
    };
    expect(
      Object.values(document.channels)
        .map((channel) => channel.address)
        .sort(),
    ).toEqual(Object.values(templateNames().exchanges).sort());
  });

  it('refuses namespaces and worker types that would make bad names', () => {
    expect(() => namesFor('Bad NS')).toThrow(/namespace "Bad NS" is invalid/);
    expect(() => namesFor('wm').workerQueue('../x')).toThrow(/is not a worker type name/);
    expect(namesFor().queues.managerRequests).toBe('wm.manager.requests');
  });
});
