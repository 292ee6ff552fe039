/**
 * Every application-wide advisory lock key, in one place so that two purposes never share a key.
 */
export const LOCKS = {
  /** Migrations, one process at a time. */
  migrations: 742_001,
  /** 742_002 was the catalogue lock beside per-SKU locks, before the apply lock replaced both. */
  /** Creating the first admin on the first start. */
  firstAdmin: 742_003,
  /** Apply transactions, one at a time: events apply in inbox order. */
  apply: 742_004,
  /** Admin changes to users, so that two concurrent demotions cannot leave the tower without an admin. */
  userAdmin: 742_005,
} as const;
