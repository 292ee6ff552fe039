/** A wall screen's read-only credential as the admin API lists it; the token itself is never listed. */
export interface PublicDisplayLink {
  id: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

/** What `POST /api/v1/display-links` answers: the only time the token (and its URL) is shown. */
export interface CreatedDisplayLink {
  id: string;
  name: string;
  /** `<origin>/display/<token>`: opening it signs the screen in. */
  url: string;
  token: string;
}

/** Who `GET /api/v1/auth/me` says a display is. */
export interface DisplayIdentity {
  id: string;
  name: string;
}

/** Where opening a display link lands. */
export const WAR_ROOM_PATH = '/war-room';
/** The cookie a display keeps its token in. */
export const DISPLAY_COOKIE = 'tower_display';
