import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes): memory-hard against GPU guessing.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so both paths take the same time. */
let dummyHash: Promise<string> | null = null;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

/** Session tokens and API keys carry 256 random bits, so a fast hash is enough to store them. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export const newSessionToken = () => randomBytes(32).toString('base64url');

/** A display link's token: 32 random bytes, base64url (43 characters), safe in a URL path. */
export const newDisplayToken = () => randomBytes(32).toString('base64url');

export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { key: `ct_${prefix}_${randomBytes(32).toString('base64url')}`, prefix: `ct_${prefix}` };
}

export const randomPassword = () => randomBytes(15).toString('base64url');
