import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** A loopback TCP proxy that can simulate a database outage: `cut()` drops and refuses connections. */
export interface TcpProxy {
  readonly port: number
  /** Destroys every open connection and refuses new ones until {@link restore}. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** Starts a proxy on a free loopback port forwarding to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let down = false
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy()
      return
    }
    const upstream = createConnection({ host, port })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not listen')
  const cut = (): void => {
    down = true
    for (const socket of sockets) socket.destroy()
  }
  return {
    port: address.port,
    cut,
    restore() {
      down = false
    },
    close() {
      cut()
      return new Promise((done) => server.close(() => done()))
    },
  }
}
