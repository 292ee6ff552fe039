import type { Db } from '../connect';
import type { PublicDisplayLink } from '../../domain/display-links';

interface LinkRow { id: string; name: string; created_at: Date; last_seen_at: Date | null; revoked_at: Date | null }

const toPublic = (r: LinkRow): PublicDisplayLink => ({
  id: r.id, name: r.name, createdAt: r.created_at.toISOString(),
  lastSeenAt: r.last_seen_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function createDisplayLink(sql: Db, l: { name: string; tokenHash: string; createdBy: string | null }): Promise<PublicDisplayLink> {
  const [row] = await sql<LinkRow[]>`
    INSERT INTO display_links (name, token_hash, created_by)
    VALUES (${l.name}, ${l.tokenHash}, ${l.createdBy})
    RETURNING id, name, created_at, last_seen_at, revoked_at`;
  return toPublic(row!);
}

/** The live (not revoked) link with this token hash. */
export async function findDisplayLink(sql: Db, tokenHash: string): Promise<PublicDisplayLink | null> {
  const [row] = await sql<LinkRow[]>`
    SELECT id, name, created_at, last_seen_at, revoked_at FROM display_links
    WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`;
  return row ? toPublic(row) : null;
}

export async function touchDisplayLink(sql: Db, id: string): Promise<void> {
  // Coarse on purpose: one write a minute per screen, not one per request.
  await sql`UPDATE display_links SET last_seen_at = now()
            WHERE id = ${id} AND revoked_at IS NULL AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')`;
}

export async function listDisplayLinks(sql: Db): Promise<PublicDisplayLink[]> {
  return (await sql<LinkRow[]>`
    SELECT id, name, created_at, last_seen_at, revoked_at FROM display_links ORDER BY created_at DESC, id`).map(toPublic);
}

/**
 * Revokes the link (idempotent: a revoked link keeps its first revocation time). `changed` says
 * whether this call revoked it. The table's trigger announces the revocation on commit.
 */
export async function revokeDisplayLink(sql: Db, id: string): Promise<{ link: PublicDisplayLink; changed: boolean } | null> {
  const [row] = await sql<(LinkRow & { changed: boolean })[]>`
    WITH before AS (SELECT id, revoked_at IS NULL AS live FROM display_links WHERE id = ${id} FOR UPDATE)
    UPDATE display_links d SET revoked_at = coalesce(d.revoked_at, now())
    FROM before WHERE d.id = before.id
    RETURNING d.id, d.name, d.created_at, d.last_seen_at, d.revoked_at, before.live AS changed`;
  return row ? { link: toPublic(row), changed: row.changed } : null;
}
