import type { Logger } from 'pino';
import type { Sql } from '../../db/connect';
import { writeAudit } from '../../db/queries/audit';
import { countUsers, createUser } from '../../db/queries/users';
import type { Config } from '../../domain/config';
import { hashPassword, randomPassword } from '../auth/credentials';
import { LOCKS } from '../../db/locks';

/** On the first start (no users at all) creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD, or a random one. */
export async function ensureFirstAdmin(sql: Sql, config: Config, log: Logger, print: (line: string) => void = console.log): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCKS.firstAdmin})`;
    if ((await countUsers(tx)) > 0) return;
    const email = config.ADMIN_EMAIL ?? 'admin@localhost';
    const password = config.ADMIN_PASSWORD ?? randomPassword();
    const user = await createUser(tx, { email, passwordHash: await hashPassword(password), role: 'admin' });
    await writeAudit(tx, { actorKind: 'system', actorId: null, actorLabel: 'first start', action: 'user.create', targetKind: 'user', targetId: user?.id, details: { email, role: 'admin' } });
    log.info({ email }, 'first admin created');
    if (!config.ADMIN_PASSWORD) print(`\n  First admin: ${email}\n  Password:    ${password}\n  (shown once; change it by creating your own admin)\n`);
  });
}
