import { Reflector } from '@nestjs/core';
import { type ApiRole } from './api-keys';

/**
 * The role a route needs. Without it, GET and HEAD need `read` and every other method `operate`,
 * so a new mutating route is protected even when its author forgets the decorator.
 */
export const RequiresRole = Reflector.createDecorator<ApiRole>();

/** Marks a route (health probes) that answers without an API key. */
export const PublicRoute = Reflector.createDecorator<boolean>({ transform: () => true });
