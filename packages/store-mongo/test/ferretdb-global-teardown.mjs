// Jest global teardown: stops the FerretDB the global setup started and removes its data directory.
import { rmSync } from 'node:fs'

export default async function globalTeardown() {
  const server = globalThis.__ferretdb__
  if (server === undefined) return
  await server.stop()
  rmSync(server.dataDir, { recursive: true, force: true })
}
