import { useState } from 'react'

/**
 * An object the calling component owns: made by `create` on the first render and again whenever `key`
 * changes (compared with `Object.is`), and otherwise the same object for the component's whole life.
 * It lives in state, not in a `useMemo`, because React may drop a memoised value and recompute it,
 * which for a data source would mean a second source and a lost subscription. `create` runs during
 * render, so it must have no side effects (a source does nothing until subscribed).
 */
export function useKeyedInstance<K, V>(key: K, create: () => V): V {
  const [owned, setOwned] = useState(() => ({ key, value: create() }))
  if (Object.is(owned.key, key)) return owned.value
  // A new key: adjust state during render (React re-renders at once with it, before any effect runs).
  const next = { key, value: create() }
  setOwned(next)
  return next.value
}
