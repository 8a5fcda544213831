import { describe, expect, it } from "vitest"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { AuthError, ConfigurationError, InvalidQuery, NotFound, ResponseError, TransportError } from "@rosterkit/core/RosterError"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Argv from "../src/Argv.js"
import * as ExitCode from "../src/ExitCode.js"
import { BrokenPipe } from "../src/Output.js"

const where = { provider: "classlink", operation: "list users" }
const fail = (error: unknown) => ExitCode.report(Exit.fail(error), ["users", "--group", "classes"])

describe("ExitCode.report", () => {
  it("maps every kind of failure to its code and one line", () => {
    expect(ExitCode.report(Exit.void, [])).toStrictEqual({ code: 0, lines: [] })
    expect(fail(ValidationError.invalidValue(HelpDoc.p("bad")))).toStrictEqual({
      code: 2,
      lines: ["rosterkit: bad", "usage: rosterkit users [options]  (see rosterkit users --help)"]
    })
    expect(fail(new Argv.UsageError({ reason: "unknown flag --gruop; did you mean --group?", command: "users" }))).toStrictEqual({
      code: 2,
      lines: ["rosterkit: unknown flag --gruop; did you mean --group?", "usage: rosterkit users [options]  (see rosterkit users --help)"]
    })
    const usage = fail(new InvalidQuery({ provider: "core", operation: "build query", field: "matchOn", reason: "needs a field" }))
    expect(usage.code).toBe(2)
    expect(usage.lines[0]).toBe("rosterkit: invalid --match-on: needs a field")
    expect(usage.lines[1]).toMatch(/^usage: rosterkit users /)
    expect(fail(new ConfigurationError({ ...where, setting: "--host / ROSTERKIT_HOST", reason: "is required" }))).toStrictEqual({
      code: 3,
      lines: ["rosterkit: classlink: bad configuration for --host / ROSTERKIT_HOST: is required"]
    })
    expect(fail(new AuthError({ ...where, status: 401, detail: "bad signature" })).code).toBe(4)
    expect(fail(new TransportError({ ...where, url: "http://x", reason: "network", detail: "refused" })).code).toBe(5)
    expect(fail(new ResponseError({ ...where, url: "http://x", status: 503, bodyExcerpt: "" })).code).toBe(5)
    expect(fail(new NotFound({ ...where, entity: "classes", id: "9" })).code).toBe(1)
    expect(fail(new BrokenPipe({ code: "EPIPE" }))).toStrictEqual({ code: 0, lines: [] })
    expect(fail(new BrokenPipe({ code: "EIO" })).code).toBe(1)
    expect(ExitCode.report(Exit.failCause(Cause.interrupt(FiberId.none)), []).code).toBe(130)
  })

  it("never prints a stack trace for a defect unless asked", () => {
    const plain = ExitCode.report(Exit.die(new Error("boom")), [])
    expect(plain.code).toBe(1)
    expect(plain.lines[0]).toBe("rosterkit: internal error: boom")
    expect(plain.lines.join("\n")).not.toContain("at ")
    expect(ExitCode.report(Exit.die(new Error("boom")), [], true).lines[1]).toContain("boom")
  })

  it("prints the usage line of the command given", () => {
    expect(ExitCode.usageLine(["list", "bogus"])).toBe("usage: rosterkit list <entity> [options]  (see rosterkit list --help)")
    expect(ExitCode.usageLine(["export"])).toBe("usage: rosterkit export --out DIR|FILE.zip [options]  (see rosterkit export --help)")
    expect(ExitCode.usageLine([])).toBe("usage: rosterkit <command> [options]  (see rosterkit --help)")
  })
})
