import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'

const packageDir = join(__dirname, '..')
const EXPORTS = [
  'MissingClientIdError',
  'applyBillingHeaders',
  'balanceHandler',
  'bearerTokenAuthorizer',
  'billingErrorHandler',
  'billingMiddleware',
  'dailyUsageHandler',
  'getBillingDecision',
  'quotaStatusHandler',
  'sendBillingError',
  'tokensEqual',
  'usageExportHandler',
]

/** Runs `code` in a fresh Node process inside the package, so the package resolves itself by name. */
function runNode(inputType: 'module' | 'commonjs', code: string): string {
  return execFileSync(process.execPath, [`--input-type=${inputType}`, '-e', code], {
    cwd: packageDir,
    encoding: 'utf8',
  })
}

describe('the built package', () => {
  beforeAll(() => {
    // Build (incrementally) so the test checks what would be published, not a stale dist.
    const tsc = join(
      dirname(createRequire(join(packageDir, 'package.json')).resolve('typescript/package.json')),
      'bin',
      'tsc',
    )
    execFileSync(process.execPath, [tsc, '-b'], { cwd: packageDir, stdio: 'inherit' })
  }, 120_000)

  it('loads with import from an ES module', () => {
    const out = runNode(
      'module',
      `import * as m from '@x/api-billing-express'; console.log(JSON.stringify(Object.keys(m).sort()))`,
    )
    expect(JSON.parse(out)).toEqual(EXPORTS)
  })

  it('loads with require from a CommonJS module and builds a working middleware', () => {
    const out = runNode(
      'commonjs',
      `const m = require('@x/api-billing-express')
       const core = require('@x/api-billing-core')
       const billing = new core.ApiBilling({ store: new core.MemoryUsageStore() })
       const middleware = m.billingMiddleware(billing, { clientId: (req) => req.get('x-api-key') })
       console.log(JSON.stringify({ keys: Object.keys(m).sort(), middleware: typeof middleware }))`,
    )
    expect(JSON.parse(out)).toEqual({ keys: EXPORTS, middleware: 'function' })
  })
})
