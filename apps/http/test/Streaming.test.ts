/**
 * NDJSON answers go out page by page while keeping single flight, over real HTTP against an
 * upstream whose pages the test releases one gate at a time (no timing: the order of events is
 * asserted):
 *
 * - the first NDJSON line reaches the client while the last upstream page is still held back;
 * - identical requests (one arriving mid-pull, one asking for JSON) make one upstream pull, and
 *   each gets every record once, in order;
 * - an upstream failure after the first lines ends the answer with an `{"error": …}` line and a
 *   cut connection (no clean end) for every follower, and is not cached.
 */
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import type * as Faults from "@rosterkit/demo/Faults"
import * as Loopback from "@rosterkit/demo/Loopback"
import { afterEach, describe, expect, it } from "vitest"
import { bearerGet, codeMinorOf, gateway, type Started, upstreamCredentials } from "./support.js"

const key = "streaming-test-key"
const dataset = Dataset.generate({ seed: 77, schools: 2, studentsPerSchool: 110, teachersPerSchool: 3, classesPerTeacher: 2, studentsPerClass: 10 })
const students = Dataset.byKind(dataset, "students").map((s) => s.sourcedId)
const pageSize = 50
/** A students page after the first (the provider's offsets overlap its pages; which page is last is its business). */
const laterPage = (url: URL) => url.pathname.endsWith("/students") && (url.searchParams.get("offset") ?? "0") !== "0"

/** A gate: requests matching it wait until it is opened. */
interface Gate {
  readonly matches: (url: URL) => boolean
  readonly open: () => void
  readonly opened: Promise<void>
}

const gate = (matches: (url: URL) => boolean): Gate => {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { matches, open, opened }
}

interface GatedUpstream {
  readonly events: Array<string>
  readonly fake: FakeOneRoster.FakeServer
  readonly close: () => Promise<void>
  readonly district: Record<string, unknown>
  gate: Gate | undefined
}

/** A OneRoster 1.1 SIS on loopback that logs each page it serves and holds back the pages a gate matches. */
const gatedUpstream = async (faults: ReadonlyArray<Faults.FaultRule> = []): Promise<GatedUpstream> => {
  const state: { gate: Gate | undefined; events: Array<string> } = { gate: undefined, events: [] }
  const server = await Loopback.serveFake((url) => {
    const fake = FakeOneRoster.make({ dataset, baseUrl: `${url}/ims/oneroster/v1p1`, auth: { type: "oauth1", ...upstreamCredentials }, faults, maxLimit: 1000 })
    return {
      ...fake,
      handle: async (request: Request) => {
        const at = new URL(request.url)
        const held = state.gate
        if (held?.matches(at) === true) await held.opened
        const response = await fake.handle(request)
        state.events.push(`served ${at.pathname.split("/").pop()} offset=${at.searchParams.get("offset") ?? 0} ${response.status}`)
        return response
      }
    }
  })
  const up: GatedUpstream = {
    events: state.events,
    fake: server.fake,
    close: server.close,
    district: {
      provider: "oneroster",
      host: server.fake.baseUrl,
      clientId: upstreamCredentials.clientId,
      clientSecret: upstreamCredentials.clientSecret,
      pageSize,
      retries: 0
    },
    get gate() {
      return state.gate
    },
    set gate(value) {
      state.gate = value
    }
  }
  return up
}

/** Reads an NDJSON answer line by line; `onLine` sees each as it arrives. `clean` is false when the connection broke off. */
const readLines = async (response: Response, onLine: (line: string, index: number) => void = () => {}) => {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const lines: Array<string> = []
  let buffer = ""
  let clean = true
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        lines.push(line)
        onLine(line, lines.length - 1)
      }
    }
  } catch {
    clean = false
  }
  return { lines, clean, rest: buffer }
}

const idsOf = (lines: ReadonlyArray<string>) => lines.map((l) => (JSON.parse(l) as { sourcedId: string }).sourcedId)

const ndjson = { accept: "application/x-ndjson" }

let opened: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  for (const o of opened.reverse()) await o.close()
  opened = []
})

const start = async (faults: ReadonlyArray<Faults.FaultRule> = []): Promise<{ up: GatedUpstream; gw: Started }> => {
  const up = await gatedUpstream(faults)
  opened.push(up)
  const gw = await gateway({ config: { districts: { d: up.district }, gateway: { clients: [{ id: "t", token: key }] } } })
  opened.push(gw)
  return { up, gw }
}

const studentPages = (up: GatedUpstream) => up.fake.requests.filter((r) => new URL(r.url).pathname.endsWith("/students")).length

describe("NDJSON page by page", () => {
  for (const path of ["/v1/students", "/v1/users?role=students"]) {
    it(`${path}: the first line arrives while every later upstream page is held back`, async () => {
      const { up, gw } = await start()
      const last = gate(laterPage)
      up.gate = last
      // If the gateway waited for the whole pull, no line would come: the gate opens anyway after
      // a while so the test ends, and the order of events below tells.
      const fallback = setTimeout(() => {
        up.events.push("gate opened without a first line")
        last.open()
      }, 20_000)
      const response = await bearerGet(`${gw.url}${path}`, key, ndjson)
      expect(response.status).toBe(200)
      const { lines, clean } = await readLines(response, (_, index) => {
        if (index === 0) {
          up.events.push("client got the first line")
          last.open()
        }
      })
      clearTimeout(fallback)
      expect(clean).toBe(true)
      expect(idsOf(lines)).toStrictEqual(students)
      const firstLine = up.events.indexOf("client got the first line")
      const served = up.events.filter((e) => e.startsWith("served students"))
      expect(served.length).toBeGreaterThanOrEqual(4)
      const lastPage = up.events.indexOf(served.at(-1)!)
      expect(firstLine, up.events.join("\n")).toBeGreaterThanOrEqual(0)
      expect(firstLine, up.events.join("\n")).toBeLessThan(lastPage)
    })
  }

  it("identical requests share one upstream pull: one arriving mid-pull replays and follows, a JSON one gets the same list", async () => {
    const { up, gw } = await start()
    const last = gate(laterPage)
    up.gate = last
    let second: Promise<{ lines: Array<string>; clean: boolean }> | undefined
    let json: Promise<Response> | undefined
    const first = await readLines(await bearerGet(`${gw.url}/v1/students`, key, ndjson), (_, index) => {
      if (index === 0) {
        // The pull is under way (its last page held back): two more identical requests.
        second = bearerGet(`${gw.url}/v1/students`, key, ndjson).then((r) => readLines(r))
        json = bearerGet(`${gw.url}/v1/students`, key)
        void Promise.resolve().then(async () => {
          // Let them reach the gateway before the pull ends.
          while (gw.log.filter((l) => l.startsWith("GET /v1/students")).length < 2) await new Promise((r) => setTimeout(r, 5))
          last.open()
        })
      }
    })
    expect(second).toBeDefined()
    const [other, whole] = [await second!, await (await json!).json()]
    expect(idsOf(first.lines)).toStrictEqual(students)
    expect(idsOf(other.lines)).toStrictEqual(students)
    expect((whole as Array<{ sourcedId: string }>).map((s) => s.sourcedId)).toStrictEqual(students)
    expect(studentPages(up)).toBe(Math.ceil(students.length / pageSize))
    // Later requests are answered from the cache.
    expect(idsOf((await readLines(await bearerGet(`${gw.url}/v1/students`, key, ndjson))).lines)).toStrictEqual(students)
    expect(studentPages(up)).toBe(Math.ceil(students.length / pageSize))
  })

  it("an upstream failure mid-stream ends every follower's answer with an error line and no clean end, and is not cached", async () => {
    // The third students page fails (once); the later pages wait for the first line.
    const { up, gw } = await start([{ fault: { type: "status", status: 500 }, path: /\/students/, after: 2, times: 1 }])
    const held = gate(laterPage)
    up.gate = held
    let follower: Promise<{ lines: Array<string>; clean: boolean }> | undefined
    const answer = await readLines(await bearerGet(`${gw.url}/v1/students`, key, ndjson), (_, index) => {
      if (index === 0) {
        follower = bearerGet(`${gw.url}/v1/students`, key, ndjson).then((r) => readLines(r))
        void Promise.resolve().then(async () => {
          while (gw.log.filter((l) => l.startsWith("GET /v1/students")).length < 2) await new Promise((r) => setTimeout(r, 5))
          held.open()
        })
      }
    })
    for (const { lines, clean } of [answer, await follower!]) {
      expect(clean, lines.slice(-2).join("\n")).toBe(false)
      const data = lines.slice(0, -1)
      expect(data.length).toBeGreaterThan(0)
      expect(data.length).toBeLessThan(students.length)
      expect(idsOf(data)).toStrictEqual(students.slice(0, data.length))
      const error = JSON.parse(lines.at(-1)!) as { error: { status: number; statusInfoSet: Array<{ imsx_CodeMinor: { imsx_codeMinorField: Array<{ imsx_codeMinorFieldValue: string }> } }> } }
      expect(error.error.status).toBe(502)
      expect(error.error.statusInfoSet[0]!.imsx_CodeMinor.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue).toBe("internal_server_error")
      expect(lines.at(-1)).not.toContain(up.fake.baseUrl)
    }
    expect(gw.log.some((l) => l.includes("an NDJSON answer ended with an error line"))).toBe(true)
    // Not cached: the next request pulls again (the fault fired once) and gets everything.
    const before = studentPages(up)
    const again = await readLines(await bearerGet(`${gw.url}/v1/students`, key, ndjson))
    expect(again.clean).toBe(true)
    expect(idsOf(again.lines)).toStrictEqual(students)
    expect(studentPages(up)).toBeGreaterThan(before)
  })

  it("a failure before the first record is an ordinary error answer (502 statusInfoSet), for NDJSON too", async () => {
    const { gw } = await start([{ fault: { type: "status", status: 500 }, path: /\/students/, times: 1000 }])
    for (const headers of [ndjson, {}]) {
      const response = await bearerGet(`${gw.url}/v1/students`, key, headers)
      expect(response.status).toBe(502)
      expect(response.headers.get("content-type")).toContain("application/json")
      expect(codeMinorOf(await response.json())).toBe("internal_server_error")
    }
  })
})
