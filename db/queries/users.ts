import type { Db } from '../connect';
import type { PublicUser, Role } from '../../domain/realtime-contract';

interface UserRow { id: string; email: string; role: Role; disabled: boolean; created_at: Date; password_hash: string }

const toPublic = (r: UserRow): PublicUser => ({
  id: r.id, email: r.email, role: r.role, disabled: r.disabled, createdAt: r.created_at.toISOString(),
});

export async function createUser(sql: Db, u: { email: string; passwordHash: string; role: Role }): Promise<PublicUser | null> {
  const [row] = await sql<UserRow[]>`
    INSERT INTO users (email, password_hash, role) VALUES (${u.email.toLowerCase()}, ${u.passwordHash}, ${u.role})
    ON CONFLICT DO NOTHING
    RETURNING *`;
  return row ? toPublic(row) : null;
}

export async function findUserForLogin(sql: Db, email: string): Promise<(PublicUser & { passwordHash: string }) | null> {
  const [row] = await sql<UserRow[]>`SELECT * FROM users WHERE lower(email) = ${email.toLowerCase()}`;
  return row ? { ...toPublic(row), passwordHash: row.password_hash } : null;
}

export async function findUserByEmail(sql: Db, email: string): Promise<PublicUser | null> {
  const [row] = await sql<UserRow[]>`SELECT * FROM users WHERE lower(email) = ${email.toLowerCase()}`;
  return row ? toPublic(row) : null;
}

export async function getUser(sql: Db, id: string): Promise<PublicUser | null> {
  const [row] = await sql<UserRow[]>`SELECT * FROM users WHERE id = ${id}`;
  return row ? toPublic(row) : null;
}

export async function listUsers(sql: Db): Promise<PublicUser[]> {
  return (await sql<UserRow[]>`SELECT * FROM users ORDER BY created_at, email`).map(toPublic);
}

export async function updateUser(sql: Db, id: string, patch: { role?: Role; disabled?: boolean }): Promise<PublicUser | null> {
  const [row] = await sql<UserRow[]>`
    UPDATE users SET
      role = coalesce(${patch.role ?? null}, role),
      disabled = coalesce(${patch.disabled ?? null}::boolean, disabled),
      updated_at = now()
    WHERE id = ${id}
    RETURNING *`;
  return row ? toPublic(row) : null;
}

export async function countActiveAdmins(sql: Db): Promise<number> {
  const [row] = await sql`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled`;
  return Number(row?.n ?? 0);
}

export async function countUsers(sql: Db): Promise<number> {
  const [row] = await sql`SELECT count(*)::int AS n FROM users`;
  return Number(row?.n ?? 0);
}
