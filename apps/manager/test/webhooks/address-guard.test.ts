import { allowedRanges, isPrivateAddress, resolveTarget } from '../../src/webhooks/address-guard';
import { webhookBackoffMs } from '../../src/webhooks/webhook-backoff';

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.2.3',
    '64:ff9b::a00:1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('resolves names and checks every address; allowed ranges let chosen private ones through', async () => {
    const none = allowedRanges([]);
    await expect(resolveTarget(new URL('http://localhost:9/x'), none)).rejects.toThrow(
      /localhost resolves to (127\.0\.0\.1|::1), a private/,
    );
    await expect(resolveTarget(new URL('ftp://example.com/x'), none)).rejects.toThrow(
      'only http and https URLs are called, not ftp:',
    );
    await expect(resolveTarget(new URL('http://[::1]:9/'), none)).rejects.toThrow(/::1, a private/);
    const loopback = allowedRanges(['127.0.0.1/32']);
    await expect(resolveTarget(new URL('http://127.0.0.1:9/'), loopback)).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(resolveTarget(new URL('http://127.0.0.2:9/'), loopback)).rejects.toThrow(
      /127\.0\.0\.2, a private/,
    );
    const all = allowedRanges(['0.0.0.0/0', '::/0']);
    await expect(resolveTarget(new URL('http://10.1.2.3/'), all)).resolves.toMatchObject({
      address: '10.1.2.3',
    });
  });
});

describe('webhook backoff', () => {
  it('doubles from the base up to the cap, each delay between half and all of it', () => {
    expect(webhookBackoffMs(1, 1000, 300_000, () => 0)).toBe(500);
    expect(webhookBackoffMs(1, 1000, 300_000, () => 1)).toBe(1000);
    expect(webhookBackoffMs(4, 1000, 300_000, () => 1)).toBe(8000);
    expect(webhookBackoffMs(4, 1000, 300_000, () => 0)).toBe(4000);
    expect(webhookBackoffMs(30, 1000, 300_000, () => 1)).toBe(300_000);
    expect(webhookBackoffMs(1000, 1000, 300_000, () => 0.5)).toBe(225_000);
  });
});
