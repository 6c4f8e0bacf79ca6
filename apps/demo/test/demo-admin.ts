/** The admin token the tests start their demo servers with (`ADMIN_TOKEN`). */
export const ADMIN_TOKEN = 'test-admin-token'

/**
 * The admin side of a demo server started with {@link ADMIN_TOKEN} (and, for {@link DemoAdmin.setClock},
 * with `DEMO_CLOCK_START`): gives each test its own client and sets the server's clock.
 */
export class DemoAdmin {
  /** Talks to the demo server at `url` (`http://127.0.0.1:<port>`). */
  constructor(private readonly url: string) {}

  /** `PUT path` with a JSON body and `token` (default {@link ADMIN_TOKEN}; `null`: none) as the bearer token. */
  put(path: string, body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    })
  }

  /** `POST /api/admin/clients/:clientId/credits` with `body` and `token` (default {@link ADMIN_TOKEN}). */
  topUp(clientId: string, body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
    return fetch(`${this.url}/api/admin/clients/${encodeURIComponent(clientId)}/credits`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    })
  }

  /** Puts `clientId` on the plans file's plan `plan` (a new client, or a plan change); throws unless 200. */
  async setPlan(clientId: string, plan: string): Promise<void> {
    await this.expectOk(await this.put(`/api/admin/clients/${encodeURIComponent(clientId)}/plan`, { plan }))
  }

  /** Sets the server's test clock to `at` (an ISO-8601 instant); throws unless 200. */
  async setClock(at: string): Promise<void> {
    await this.expectOk(await this.put('/api/test/clock', { at }))
  }

  private async expectOk(response: Response): Promise<void> {
    if (response.status !== 200)
      throw new Error(`${response.url}: ${response.status} ${await response.text()}`)
  }
}
