import type { PublicDisplayLink } from '../../domain/display-links';
import type { PublicApiKey, PublicUser } from '../../domain/realtime-contract';

/**
 * Who is calling: a signed-in person (session cookie), a machine (API key), or a wall screen
 * (display cookie), which may only read what a viewer sees.
 */
export type Auth =
  | { kind: 'user'; user: PublicUser; tokenHash: string }
  | { kind: 'api_key'; apiKey: PublicApiKey }
  | { kind: 'display'; link: PublicDisplayLink };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: Auth;
    }
  }
}

export const SESSION_COOKIE = 'tower_session';
export { DISPLAY_COOKIE } from '../../domain/display-links';

export function actorOf(auth: Auth | undefined) {
  if (!auth) return { actorKind: 'system' as const, actorId: null, actorLabel: null };
  switch (auth.kind) {
    case 'user': return { actorKind: 'user' as const, actorId: auth.user.id, actorLabel: auth.user.email };
    case 'api_key': return { actorKind: 'api_key' as const, actorId: auth.apiKey.id, actorLabel: auth.apiKey.name };
    case 'display': return { actorKind: 'display' as const, actorId: auth.link.id, actorLabel: auth.link.name };
  }
}
