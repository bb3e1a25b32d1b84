import { parseTime } from '@org/protocol';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** class-validator: an ISO 8601 time with a zone, or epoch milliseconds (what `wm-*` time headers take). */
export function IsTime(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTime',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          'must be an ISO 8601 time with a zone (2027-01-31T12:00:00Z) or epoch milliseconds',
        ...options,
      },
      validator: { validate: (value: unknown) => parseTime(value) !== undefined },
    });
  };
}
