import { registerDecorator, type ValidationOptions } from 'class-validator';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration the configuration accepts: ten years. */
const MAX_DURATION_MS = 10 * 365 * 86_400_000;

/**
 * A duration in configuration: milliseconds as a number, or a string such as `90s`, `15m`,
 * `24h`, `7d` (one unit: ms, s, m, h, d). Returns milliseconds, or undefined when malformed.
 */
export function parseDuration(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = /^(\d{1,12})(ms|s|m|h|d)$/.exec(value.trim());
    if (match) ms = Number(match[1]) * UNITS[match[2]!]!;
  }
  return ms !== undefined && Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_DURATION_MS
    ? ms
    : undefined;
}

/** class-validator: the property is a duration {@link parseDuration} accepts. */
export function IsDuration(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isDuration',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          'must be a duration: milliseconds, or a number with one unit (ms, s, m, h, d) such as "90s", "24h", "7d"',
        ...options,
      },
      validator: { validate: (value: unknown) => parseDuration(value) !== undefined },
    });
  };
}
