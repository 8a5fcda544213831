/**
 * The sequential baseline: the old Python library's strategy, in Node. One request at a time,
 * `limit` 1000, `offset` paging until a short page; a group query lists the whole group
 * collection (no server-side filter), matches names exactly (trimmed, case-insensitive) on the
 * match-on fields, expands courses to their classes one course at a time, then fetches each
 * class's or school's members one group at a time. Users are de-duplicated (the old library did
 * not; here the answers must match rosterkit's) and written as NDJSON.
 *
 *     node sequential.mjs --base URL --client-id ID --client-secret S [--role users] [--page-size 1000]
 *       [--group classes|courses|schools --name NAME [--match-on sourcedId,name,title]]
 *       [--queries FILE]   (one query a line: kind::name::role; every query's listing is fetched again)
 */
import * as fs from "node:fs"
import * as Get from "./Get.js"

type Row = Record<string, unknown> & { readonly sourcedId: string }

const envelope: Record<string, string> = { users: "users", students: "users", teachers: "users", classes: "classes", courses: "courses", schools: "orgs" }

Get.run(async () => {
  const flags = Get.flags(process.argv.slice(2))
  const client = Get.makeGet(flags.credentials, 1)
  const all = async (path: string, key: string): Promise<Array<Row>> => {
    const out: Array<Row> = []
    for (let offset = 0; ; ) {
      const body = JSON.parse((await client.get(`${flags.base}/${path}?limit=${flags.pageSize}&offset=${offset}`)).body) as Record<string, Array<Row>>
      const records = body[key]!
      out.push(...records)
      offset += records.length
      if (records.length < flags.pageSize || records.length === 0) return out
    }
  }
  const emit = (users: ReadonlyArray<Row>, tag?: string) =>
    users.length === 0 ? Promise.resolve() : Get.write(`${users.map((u) => JSON.stringify(tag === undefined ? u : { ...u, query: tag })).join("\n")}\n`)

  const query = async (group: NonNullable<Get.Flags["group"]>, name: string, role: Get.Flags["role"], matchOn: ReadonlyArray<string>) => {
    const wanted = name.trim().toLowerCase()
    const groups = (await all(group, envelope[group]!)).filter((g) =>
      matchOn.some((field) => typeof g[field] === "string" && (g[field] as string).trim().toLowerCase() === wanted)
    )
    let sources: Array<{ kind: string; id: string }> = groups.map((g) => ({ kind: group, id: g.sourcedId }))
    if (group === "courses") {
      sources = []
      const seen = new Set<string>()
      for (const course of groups) {
        for (const cls of await all(`courses/${encodeURIComponent(course.sourcedId)}/classes`, "classes")) {
          if (seen.has(cls.sourcedId)) continue
          seen.add(cls.sourcedId)
          sources.push({ kind: "classes", id: cls.sourcedId })
        }
      }
    }
    const seen = new Set<string>()
    const users: Array<Row> = []
    for (const source of sources) {
      for (const collection of Get.roleCollections(role)) {
        for (const user of await all(`${source.kind}/${encodeURIComponent(source.id)}/${collection}`, "users")) {
          if (!seen.has(user.sourcedId)) {
            seen.add(user.sourcedId)
            users.push(user)
          }
        }
      }
    }
    return users
  }

  if (flags.queries !== undefined) {
    const lines = fs.readFileSync(flags.queries, "utf8").split("\n").filter((l) => l.trim() !== "")
    for (const line of lines) {
      const [group, name, role] = line.split("::")
      await emit(await query(group as NonNullable<Get.Flags["group"]>, name!, (role ?? "students") as Get.Flags["role"], ["sourcedId", "name", "title"]), line)
    }
  } else if (flags.group !== undefined) {
    await emit(await query(flags.group, flags.name ?? "", flags.role, flags.matchOn))
  } else {
    for (const collection of Get.roleCollections(flags.role)) {
      for (let offset = 0; ; ) {
        const body = JSON.parse((await client.get(`${flags.base}/${collection}?limit=${flags.pageSize}&offset=${offset}`)).body) as Record<string, Array<Row>>
        const records = body["users"]!
        await emit(records)
        offset += records.length
        if (records.length < flags.pageSize || records.length === 0) break
      }
    }
  }
  client.close()
  return client.requests()
})
