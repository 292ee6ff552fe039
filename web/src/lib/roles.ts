import type { Role } from '$domain/realtime-contract';

/** Mirror of the contract's `roles` (kept local so the browser imports types only from $domain). */
export const roleOptions = ['viewer', 'operator', 'supervisor', 'admin'] as const satisfies readonly Role[];

// Fails to compile if the contract gains a role this list lacks.
type MissingRoles = Exclude<Role, (typeof roleOptions)[number]>;
export const rolesAreComplete: [MissingRoles] extends [never] ? true : never = true;

export const roleLabels: Record<Role, string> = {
	viewer: 'Viewer',
	operator: 'Operator',
	supervisor: 'Supervisor',
	admin: 'Admin'
};
