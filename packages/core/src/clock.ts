/**
 * Where the engine reads "now". Defaults to `() => new Date()`; tests inject their own so that they
 * can cross a window boundary without sleeping.
 */
export type Clock = () => Date

/** The wall clock: `new Date()`. The default {@link Clock}. */
export const systemClock: Clock = () => new Date()
