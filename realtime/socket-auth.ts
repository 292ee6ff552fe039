import type { Sql } from '../db/connect';
import { findDisplayLink, touchDisplayLink } from '../db/queries/display-links';
import { findSessionUser } from '../db/queries/sessions';
import type { PublicDisplayLink } from '../domain/display-links';
import type { PublicUser } from '../domain/realtime-contract';
import { sha256 } from './auth/credentials';
import { displayTokenFrom, sessionTokenFrom } from './auth/middleware';

/** Who holds a socket: a signed-in user, or a wall screen's display link (read-only, overview room only). */
export interface SocketIdentity {
  user: PublicUser | null;
  display: PublicDisplayLink | null;
  /** The SHA-256 of the session token or of the display token, whichever signed the socket in. */
  tokenHash: string;
}

/** Sockets of one display link, so that revoking it closes them at once. */
export const displayRoom = (linkId: string) => `display:${linkId}`;

/** The handshake's credential, like `authenticate` for HTTP: a live session first, else a live display link. */
export async function identifySocket(sql: Sql, cookieHeader: string | undefined): Promise<SocketIdentity | null> {
  const session = sessionTokenFrom(cookieHeader);
  if (session) {
    const tokenHash = sha256(session);
    const user = await findSessionUser(sql, tokenHash);
    if (user) return { user, display: null, tokenHash };
  }
  const display = displayTokenFrom(cookieHeader);
  if (display) {
    const tokenHash = sha256(display);
    const link = await findDisplayLink(sql, tokenHash);
    if (link) {
      void touchDisplayLink(sql, link.id).catch(() => {});
      return { user: null, display: link, tokenHash };
    }
  }
  return null;
}

/** Whether the credential behind a socket still holds: false when it ended, undefined when that cannot be told now. */
export async function stillSignedIn(sql: Sql, who: SocketIdentity): Promise<boolean | undefined> {
  try {
    if (who.display) {
      const link = await findDisplayLink(sql, who.tokenHash);
      // A screen that stays connected for days is still "seen": lastSeenAt moves with the recheck.
      if (link) void touchDisplayLink(sql, link.id).catch(() => {});
      return link !== null;
    }
    return (await findSessionUser(sql, who.tokenHash)) !== null;
  } catch {
    return undefined;
  }
}
