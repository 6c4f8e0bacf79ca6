import { rmSync } from 'node:fs'
import type { FerretdbServer } from './ferretdb-server.js'

/** Jest global teardown: stops the FerretDB the setup started and removes its data directory. */
// biome-ignore lint/style/noDefaultExport: jest loads globalSetup/globalTeardown from a default export
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __ferretdb__?: FerretdbServer }).__ferretdb__
  if (server === undefined) return
  await server.stop()
  rmSync(server.dataDir, { recursive: true, force: true })
}
