/** `POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
export const postgresUrl = (): string => process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** `MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`. */
export const mysqlUrl = (): string => process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** mysql2 connection options from {@link mysqlUrl}, on `database` when given. */
export function mysqlConfig(database?: string) {
  const url = new URL(mysqlUrl())
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: database ?? (url.pathname.slice(1) || 'test'),
  }
}

/** A name no other run uses: for a schema, a database or a table prefix. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`

/** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
