import { type Fetcher, fetchJson } from './fetch-json.js'

/** What a {@link PollingSource} holds. A new object on every change, so it can be compared by identity. */
export interface SourceState<T> {
  /** The last good data; kept while a refetch runs or after a refetch fails. */
  readonly data: T | undefined
  /** The last fetch's error; cleared by the next success. */
  readonly error: Error | undefined
  /** `true` while the first data is being fetched (there is no data yet). */
  readonly isLoading: boolean
  /** `true` while any fetch is in flight, first or later. */
  readonly isFetching: boolean
}

/** Options of a {@link PollingSource}. */
export interface PollingSourceOptions<T> {
  /** URL to fetch. Without one the source only holds data set by hand. */
  readonly src?: string | null | undefined
  /** Loads `src`; default {@link fetchJson} (global `fetch`). */
  readonly fetcher?: Fetcher | undefined
  /** Milliseconds between the end of one fetch and the next while subscribed; `0` (default) = no polling. */
  readonly refreshInterval?: number | undefined
  /** Refetch when the window regains focus or the tab becomes visible. Default `true`. */
  readonly refetchOnFocus?: boolean | undefined
  /** Data to start with (e.g. rendered on the server); when given, the first subscription does not fetch. */
  readonly initialData?: T | undefined
  /** Clock (epoch ms); default `Date.now`. */
  readonly now?: (() => number) | undefined
}

/** The mutable subset of {@link PollingSourceOptions}, see {@link PollingSource.configure}. */
export type PollingSourceSettings = Pick<
  PollingSourceOptions<unknown>,
  'fetcher' | 'refreshInterval' | 'refetchOnFocus'
>

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * Framework-free store of one fetched JSON resource (TanStack Query style): fetches with an
 * `AbortController`, polls every `refreshInterval`, refetches on window focus, and notifies subscribers.
 *
 * It does nothing until subscribed: the first subscriber starts it (fetch, timers, focus listeners),
 * the last one leaving stops it and aborts any fetch in flight. `subscribe`, `getSnapshot` and
 * `getServerSnapshot` are bound, ready for React's `useSyncExternalStore`; the server snapshot is the
 * initial state, so server and first client render agree.
 */
export class PollingSource<T> {
  /** The URL this source fetches, if any. */
  readonly src: string | undefined
  protected readonly now: () => number
  private readonly parse: (value: unknown) => T
  private settings: { -readonly [K in keyof PollingSourceSettings]-?: NonNullable<PollingSourceSettings[K]> }
  private readonly initialState: SourceState<T>
  private state: SourceState<T>
  private readonly listeners = new Set<() => void>()
  private controller: AbortController | undefined
  private inFlight: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private skipFirstFetch: boolean

  /**
   * @param options what to fetch and how often.
   * @param parse checks a fetched value's shape and returns it typed; throws when it is not a `T`.
   */
  constructor(options: PollingSourceOptions<T>, parse: (value: unknown) => T) {
    this.src = options.src ?? undefined
    this.now = options.now ?? Date.now
    this.parse = parse
    this.settings = { fetcher: fetchJson, refreshInterval: 0, refetchOnFocus: true }
    this.configure(options)
    this.skipFirstFetch = options.initialData !== undefined
    this.initialState = {
      data: options.initialData,
      error: undefined,
      isLoading: this.src !== undefined && options.initialData === undefined,
      isFetching: false,
    }
    this.state = this.initialState
  }

  /** Whether at least one subscriber is listening (the source is fetching, polling and watching focus). */
  get active(): boolean {
    return this.listeners.size > 0
  }

  /** Changes the fetcher, polling interval or focus behaviour; `undefined` fields keep their value. */
  configure(settings: PollingSourceSettings): void {
    const interval = this.settings.refreshInterval
    if (settings.fetcher !== undefined) this.settings.fetcher = settings.fetcher
    if (settings.refreshInterval !== undefined) this.settings.refreshInterval = settings.refreshInterval
    if (settings.refetchOnFocus !== undefined) this.settings.refetchOnFocus = settings.refetchOnFocus
    if (interval !== this.settings.refreshInterval && this.inFlight === undefined) this.schedule()
  }

  /** Registers a listener called after every state change; the returned function unsubscribes. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.start()
    return () => {
      if (!this.listeners.delete(listener)) return
      if (this.listeners.size === 0) this.stop()
    }
  }

  /** The current state (same object until something changes). */
  readonly getSnapshot = (): SourceState<T> => this.state

  /** The state a server render and the hydrating client render see: the initial one. */
  readonly getServerSnapshot = (): SourceState<T> => this.initialState

  /**
   * Fetches `src` now, aborting a fetch already in flight, and resolves when the state is updated.
   * Never rejects: a failure lands in `error`. Resolves at once when there is no `src`.
   */
  refetch(): Promise<void> {
    if (this.src === undefined) return Promise.resolve()
    return this.fetchNow(this.src)
  }

  /** Replaces the data by hand (clears the error) and notifies subscribers. */
  setData(data: T): void {
    this.setState({ data, error: undefined, isLoading: false, isFetching: this.inFlight !== undefined })
    this.onData(data)
    if (this.inFlight === undefined) this.schedule()
  }

  /** Hook for subclasses, called with every new data, fetched or set. */
  protected onData(_data: T): void {}

  /**
   * Milliseconds until the data itself calls for a refresh (e.g. an exhausted window renews), or
   * `undefined`. Polling uses the sooner of this and `refreshInterval`. Subclasses override it.
   */
  protected refreshDue(_data: T): number | undefined {
    return undefined
  }

  private setState(next: SourceState<T>): void {
    this.state = next
    for (const listener of [...this.listeners]) listener()
  }

  private start(): void {
    if (typeof window !== 'undefined') {
      window.addEventListener('focus', this.onFocus)
      window.document?.addEventListener('visibilitychange', this.onFocus)
    }
    const skip = this.skipFirstFetch
    this.skipFirstFetch = false
    if (this.src !== undefined && !skip) void this.fetchNow(this.src)
    else this.schedule()
  }

  private stop(): void {
    if (typeof window !== 'undefined') {
      window.removeEventListener('focus', this.onFocus)
      window.document?.removeEventListener('visibilitychange', this.onFocus)
    }
    this.clearTimer()
    this.controller?.abort()
    this.controller = undefined
    this.inFlight = undefined
    if (this.state.isFetching) this.state = { ...this.state, isFetching: false }
  }

  private readonly onFocus = (): void => {
    if (!this.settings.refetchOnFocus || this.src === undefined || this.inFlight !== undefined) return
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return
    void this.fetchNow(this.src)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    this.clearTimer()
    if (!this.active || this.src === undefined) return
    const { data } = this.state
    const delays = [this.settings.refreshInterval, data === undefined ? undefined : this.refreshDue(data)]
    const delay = Math.min(...delays.filter((d): d is number => d !== undefined && d > 0))
    if (!Number.isFinite(delay)) return
    const src = this.src
    this.timer = setTimeout(() => {
      this.timer = undefined
      // A hidden tab is not polled; becoming visible refetches (when refetchOnFocus) and resumes.
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
        if (!this.settings.refetchOnFocus) this.schedule()
        return
      }
      void this.fetchNow(src)
    }, delay)
  }

  private fetchNow(src: string): Promise<void> {
    this.clearTimer()
    this.controller?.abort()
    const controller = new AbortController()
    this.controller = controller
    this.setState({ ...this.state, isFetching: true, isLoading: this.state.data === undefined })
    const run = async (): Promise<void> => {
      try {
        const data = this.parse(await this.settings.fetcher(src, { signal: controller.signal }))
        if (controller.signal.aborted) return
        this.inFlight = undefined
        this.controller = undefined
        this.setState({ data, error: undefined, isLoading: false, isFetching: false })
        this.onData(data)
      } catch (error) {
        if (controller.signal.aborted) return
        this.inFlight = undefined
        this.controller = undefined
        this.setState({ ...this.state, error: toError(error), isLoading: false, isFetching: false })
      }
      this.schedule()
    }
    const promise = run()
    this.inFlight = promise
    return promise
  }
}
