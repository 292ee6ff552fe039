import type { PublicApiKey, PublicUser } from '../../domain/realtime-contract';

/** Who is calling: a signed-in person (session cookie) or a machine (API key). */
export type Auth =
  | { kind: 'user'; user: PublicUser; tokenHash: string }
  | { kind: 'api_key'; apiKey: PublicApiKey };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: Auth;
    }
  }
}

export const SESSION_COOKIE = 'tower_session';

export function actorOf(auth: Auth | undefined) {
  if (!auth) return { actorKind: 'system' as const, actorId: null, actorLabel: null };
  return auth.kind === 'user'
    ? { actorKind: 'user' as const, actorId: auth.user.id, actorLabel: auth.user.email }
    : { actorKind: 'api_key' as const, actorId: auth.apiKey.id, actorLabel: auth.apiKey.name };
}
