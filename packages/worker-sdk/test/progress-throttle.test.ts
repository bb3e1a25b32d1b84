import { ProgressThrottle } from '../src/execution/progress-throttle';

describe('ProgressThrottle', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends at once, keeps only the latest value inside the window, and nothing after finish', async () => {
    let now = 0;
    const sent: number[] = [];
    const throttle = new ProgressThrottle(
      1000,
      (value) => Promise.resolve(void sent.push(value)),
      () => now,
    );
    await throttle.report(10);
    await throttle.report(20);
    await throttle.report(30.4);
    expect(sent).toEqual([10]);
    now = 1000;
    jest.advanceTimersByTime(1000);
    expect(sent).toEqual([10, 30]);
    await throttle.report(30); // unchanged: not sent again
    now = 2500;
    await throttle.report(140); // clamped
    expect(sent).toEqual([10, 30, 100]);
    await throttle.report(50);
    throttle.finish();
    jest.advanceTimersByTime(5000);
    expect(sent).toEqual([10, 30, 100]);
    await expect(throttle.report(Number.NaN)).rejects.toThrow(
      'percent must be a number from 0 to 100',
    );
  });
});
