import type { Db } from '../connect';
import type { PublicUser, Role } from '../../domain/realtime-contract';

export async function createSession(sql: Db, s: { tokenHash: string; userId: string; ttlHours: number }): Promise<Date> {
  const [row] = await sql`
    INSERT INTO sessions (token_hash, user_id, expires_at)
    VALUES (${s.tokenHash}, ${s.userId}, now() + make_interval(hours => ${s.ttlHours}))
    RETURNING expires_at`;
  return row!.expires_at as Date;
}

/** The signed-in user behind a live session of an enabled user, or null. */
export async function findSessionUser(sql: Db, tokenHash: string): Promise<PublicUser | null> {
  const [row] = await sql`
    SELECT u.id, u.email, u.role, u.disabled, u.created_at
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND NOT u.disabled`;
  if (!row) return null;
  return { id: row.id, email: row.email, role: row.role as Role, disabled: row.disabled, createdAt: row.created_at.toISOString() };
}

export async function deleteSession(sql: Db, tokenHash: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`;
}

export async function deleteUserSessions(sql: Db, userId: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE user_id = ${userId}`;
}
