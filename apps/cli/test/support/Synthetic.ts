/**
 * A OneRoster server with `total` synthetic students made up page by page (nothing held in
 * memory), on loopback, without auth: for pulls far bigger than a fixture dataset.
 */
import * as Loopback from "@rosterkit/testkit/Loopback"

const student = (i: number) => ({
  sourcedId: `u${i}`,
  status: "active",
  dateLastModified: "2024-01-01T00:00:00.000Z",
  username: `user${i}`,
  givenName: `Given${i}`,
  familyName: `Family${i}`,
  role: "student",
  email: `user${i}@example.org`,
  orgs: [{ href: "", sourcedId: "2", type: "org" }],
  grades: ["09"],
  enabledUser: "true",
  userIds: [],
  agents: []
})

/** Serves `/ims/oneroster/v1p1/students` (any path, really) with X-Total-Count = `total`. */
export const serve = (total: number): Promise<Loopback.Server> =>
  Loopback.serve(async (request) => {
    const url = new URL(request.url)
    const offset = Number(url.searchParams.get("offset") ?? 0)
    const limit = Math.min(10_000, Number(url.searchParams.get("limit") ?? 100))
    const users = []
    for (let i = offset; i < Math.min(total, offset + limit); i++) users.push(student(i))
    return new Response(JSON.stringify({ users }), { headers: { "content-type": "application/json", "x-total-count": String(total) } })
  })
