// `node --import ./register-typescript-loader.mjs file.ts` runs a TypeScript file of this package without a
// build (see typescript-loader-hooks.mjs). Test tooling only, not part of the published package.
import { register } from 'node:module'

register('./typescript-loader-hooks.mjs', import.meta.url)
