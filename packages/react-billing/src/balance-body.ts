import type { CreditGrantJson, BalanceBody as ServerBalanceBody } from '@x/api-billing-core'

/** One prepaid grant in a {@link BalanceBody}: core's `CreditGrantJson` (instants as ISO-8601 strings). */
export type BalanceGrantJson = CreditGrantJson

/**
 * The JSON a balance route (the Express binding's `balanceHandler`) sends and `<CreditBalance>` renders:
 * core's `BalanceBody`, with `at` (the server's clock) optional so that bodies without it still fit.
 */
export type BalanceBody = Omit<ServerBalanceBody, 'at'> & { readonly at?: string }
