// Node module hooks that run this package's TypeScript sources directly (used to run the conformance suite
// under node:test without a build): `./x.js` imports resolve to `./x.ts` when there is no `.js` file, and
// `.ts` files are compiled to ES modules with @swc/core (types stripped, nothing checked). Registered by
// register-typescript-loader.mjs; test tooling only, not part of the published package.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { transformSync } from '@swc/core'

/** Resolves a relative `.js` import from a `.ts` file to the `.ts` source when no `.js` file exists. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context)
  } catch (error) {
    const fromTypeScript = context.parentURL?.endsWith('.ts') ?? false
    if (!fromTypeScript || !specifier.startsWith('.') || !specifier.endsWith('.js')) throw error
    return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context)
  }
}

/** Compiles a `.ts` file to an ES module; leaves every other URL to the next hook. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const filename = fileURLToPath(url)
  const { code } = transformSync(await readFile(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  })
  return { format: 'module', source: code, shortCircuit: true }
}
