import { mysqlAdmin, mysqlAdminRows, postgresAdmin, type TestTarget } from './test-databases.js'

/**
 * The server ids of the store's connections on `target` that are stuck on a lock: on Postgres waiting for
 * a row lock; on MariaDB running a statement that starts with `insert into <table>` (its lock wait does
 * not always show in `innodb_trx`).
 */
export async function lockWaiters(target: TestTarget, table: string): Promise<number[]> {
  if (target.engine === 'postgres') {
    const { rows } = await postgresAdmin(
      "select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
      [target.postgresSchema],
    )
    return rows.map((r) => Number(r.pid))
  }
  const rows = await mysqlAdminRows(
    `select id from information_schema.processlist
     where db = '${target.mysqlDatabase}' and info like 'insert into \`${table}\`%'`,
  )
  return rows.map((r) => Number(r.id))
}

/** Ends one server connection from a separate admin connection. */
export async function killConnection(target: TestTarget, id: number): Promise<void> {
  if (target.engine === 'postgres') await postgresAdmin('select pg_terminate_backend($1)', [id])
  else await mysqlAdmin(`kill connection ${id}`)
}
