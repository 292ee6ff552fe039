import type { Db } from '../connect';
import type { PublicApiKey } from '../../domain/realtime-contract';

interface KeyRow { id: string; name: string; sources: string[]; key_prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }

const toPublic = (r: KeyRow): PublicApiKey => ({
  id: r.id, name: r.name, sources: r.sources, keyPrefix: r.key_prefix, createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function createApiKey(
  sql: Db,
  k: { name: string; sources: string[]; keyHash: string; keyPrefix: string; createdBy: string | null },
): Promise<PublicApiKey> {
  const [row] = await sql<KeyRow[]>`
    INSERT INTO api_keys (name, sources, key_hash, key_prefix, created_by)
    VALUES (${k.name}, ${sql.array(k.sources)}, ${k.keyHash}, ${k.keyPrefix}, ${k.createdBy})
    RETURNING *`;
  return toPublic(row!);
}

/** The live (not revoked) key with this hash. */
export async function findApiKey(sql: Db, keyHash: string): Promise<PublicApiKey | null> {
  const [row] = await sql<KeyRow[]>`SELECT * FROM api_keys WHERE key_hash = ${keyHash} AND revoked_at IS NULL`;
  return row ? toPublic(row) : null;
}

export async function touchApiKey(sql: Db, id: string): Promise<void> {
  // Coarse on purpose: one write a minute per key, not one per request.
  await sql`UPDATE api_keys SET last_used_at = now()
            WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
}

export async function listApiKeys(sql: Db): Promise<PublicApiKey[]> {
  return (await sql<KeyRow[]>`SELECT * FROM api_keys ORDER BY created_at DESC`).map(toPublic);
}

export async function revokeApiKey(sql: Db, id: string): Promise<PublicApiKey | null> {
  const [row] = await sql<KeyRow[]>`
    UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id} RETURNING *`;
  return row ? toPublic(row) : null;
}
