/** Injection token of the validated {@link ManagerEnvironment}. */
export const MANAGER_ENVIRONMENT = Symbol('MANAGER_ENVIRONMENT');
/** Injection token of the deployment's protocol `Names`. */
export const NAMES = Symbol('NAMES');
