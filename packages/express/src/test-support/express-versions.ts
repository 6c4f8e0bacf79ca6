import express from 'express'
import express4 from 'express4'

/** A named Express factory, for `describe.each`. */
export interface ExpressVersion {
  readonly name: string
  readonly express: typeof express
}

/** Express 5 (the devDependency) and Express 4 (the `express4` alias), both within the peer range. */
export const EXPRESS_VERSIONS: readonly ExpressVersion[] = [
  { name: 'Express 5', express },
  { name: 'Express 4', express: express4 },
]
