// Jest global setup: uses MONGODB_URL when set; otherwise starts FerretDB (building it once if needed) on
// a free port and a temp SQLite directory and hands its URL to the tests as MONGODB_URL. Throws, failing
// the whole run with the reason, when no server can be had. Plain ESM on the built launcher (the `test`
// script builds first), because jest loads global setup files outside its module mapping.
import { resolveFerretdbBinary, startFerretdb } from '../dist/testing/index.js'

export default async function globalSetup() {
  if (process.env.MONGODB_URL) return
  const bin = resolveFerretdbBinary()
  process.env.API_BILLING_FERRETDB_BIN = bin
  globalThis.__ferretdb__ = await startFerretdb(bin)
  process.env.MONGODB_URL = globalThis.__ferretdb__.url
}
