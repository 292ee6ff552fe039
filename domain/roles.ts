import { roles, type Role } from './realtime-contract';

export { roles, type Role };

/** Roles are ordered: each may do everything the ones before it may. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
