/**
 * The floor: the least a client can do to deliver a OneRoster pull as NDJSON. Node's http with a
 * keep-alive agent, the first page for X-Total-Count, then every other page `--concurrency` at a
 * time; each body is JSON.parse'd and its records written as NDJSON lines in the order the pages
 * arrive, the next page fetched while they go down the pipe (up to 4 MiB unwritten). No decoding,
 * no checks, no retries, no ordering.
 *
 *     node floor.mjs --base URL --client-id ID --client-secret S [--role users] [--page-size 1000] [--concurrency 4]
 */
import * as Get from "./Get.js"

const envelopeKey = "users"

Get.run(async () => {
  const flags = Get.flags(process.argv.slice(2))
  const client = Get.makeGet(flags.credentials, flags.concurrency)
  const page = async (collection: string, offset: number, limit: number) => {
    const response = await client.get(`${flags.base}/${collection}?limit=${limit}&offset=${offset}`)
    const records = (JSON.parse(response.body) as Record<string, ReadonlyArray<unknown>>)[envelopeKey]!
    if (records.length > 0) await Get.writeAhead(`${records.map((r) => JSON.stringify(r)).join("\n")}\n`)
    return { count: records.length, total: Number(response.headers["x-total-count"]) }
  }
  for (const collection of Get.roleCollections(flags.role)) {
    const first = await page(collection, 0, flags.pageSize)
    const size = first.count
    if (size === 0) continue
    const offsets: Array<number> = []
    for (let offset = size; offset < first.total; offset += size) offsets.push(offset)
    let next = 0
    const worker = async () => {
      while (next < offsets.length) await page(collection, offsets[next++]!, size)
    }
    await Promise.all(Array.from({ length: Math.max(1, flags.concurrency) }, worker))
  }
  client.close()
  return client.requests()
})
