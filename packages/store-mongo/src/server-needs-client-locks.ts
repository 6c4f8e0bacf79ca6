import type { Db } from 'mongodb'

/**
 * Whether the server behind `db` needs a client's writes serialised by a lock document: `true` for
 * FerretDB v1 (its `buildInfo` names a `ferretdbVersion` 1.x), whose single-document updates are
 * read-then-write and lose concurrent `$inc`s. MongoDB and FerretDB v2 answer `false`.
 */
export async function serverNeedsClientLocks(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 })
  return typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion)
}
