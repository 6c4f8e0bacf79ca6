import { rmSync } from 'node:fs'
import { resolveFerretdbBinary, startFerretdb } from '@x/api-billing-store-mongo/testing'

/** A MongoDB-wire server for the bench: a FerretDB process this bench started, or `MONGODB_URL`. */
export interface MongoServer {
  readonly url: string
  /** Stops the process (if the bench started it) and removes its data. */
  stop(): Promise<void>
}

/**
 * `MONGODB_URL` when set; else FerretDB (SQLite backend) on a free port and a temp directory, started
 * by the same launcher as the Mongo store's tests (which also builds the binary once if needed).
 */
export async function startMongoServer(): Promise<MongoServer> {
  const fromEnv = process.env.MONGODB_URL
  if (fromEnv) return { url: fromEnv, stop: async () => undefined }
  const server = await startFerretdb(resolveFerretdbBinary())
  // Never leave the server behind, even when the bench is interrupted.
  const killOnExit = () => void server.stop('SIGKILL')
  process.once('exit', killOnExit)
  return {
    url: server.url,
    async stop() {
      process.off('exit', killOnExit)
      await server.stop()
      rmSync(server.dataDir, { recursive: true, force: true })
    },
  }
}
