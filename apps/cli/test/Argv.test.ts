import { describe, expect, it } from "vitest"
import * as Options from "@effect/cli/Options"
import * as Either from "effect/Either"
import * as Argv from "../src/Argv.js"
import * as Flags from "../src/Flags.js"
import type * as Help from "../src/Help.js"
import * as Main from "../src/main.js"

const check = (...args: ReadonlyArray<string>) => Argv.check(Main.specs, args)
const reason = (...args: ReadonlyArray<string>) =>
  Either.match(check(...args), { onLeft: (e) => e.reason, onRight: (r) => `ok: ${r._tag}` })
const words = (...args: ReadonlyArray<string>) =>
  Either.match(check(...args), { onLeft: (e) => [`error: ${e.reason}`], onRight: (r) => (r._tag === "Run" ? r.args : [r._tag]) })

describe("Argv.check", () => {
  it("names the flag, what it accepts, and the closest flag for a typo", () => {
    expect(reason("users", "--role", "admins")).toBe("--role: 'admins' is not one of students, teachers, users")
    expect(reason("users", "--max", "abc")).toBe("--max: expected a whole number, got 'abc'")
    expect(reason("users", "--max", "1.5")).toBe("--max: expected a whole number, got '1.5'")
    expect(reason("users", "--gruop", "classes")).toBe("unknown flag --gruop; did you mean --group?")
    expect(reason("users", "--verbos")).toBe("unknown flag --verbos; did you mean --verbose?")
    expect(reason("list", "users", "--filtr", "a='b'")).toBe("unknown flag --filtr; did you mean --filter?")
    expect(reason("users", "--colour", "red")).toBe("unknown flag --colour")
    expect(reason("users", "--role")).toBe("--role: needs a value: one of students, teachers, users")
    expect(reason("users", "--max")).toBe("--max: needs a value (N)")
    expect(reason("users", "-x")).toBe("unknown flag -x")
    expect(reason("lst", "users")).toBe("unknown command 'lst'; did you mean list?")
    expect(reason("frobnicate")).toBe("unknown command 'frobnicate'; the commands are users, list, export")
  })

  it("accepts what @effect/cli accepts, and spells clusters out for it", () => {
    expect(words("users", "-qv", "--count")).toStrictEqual(["users", "--quiet", "--verbose", "--count"])
    expect(words("users", "--max=2", "--role", "teachers")).toStrictEqual(["users", "--max=2", "--role", "teachers"])
    expect(words("users", "--count", "true", "--max", "-3")).toStrictEqual(["users", "--count", "true", "--max", "-3"])
    expect(words("users", "--ROLE", "teachers")).toStrictEqual(["users", "--ROLE", "teachers"])
    expect(words("list", "--max", "1", "schools")).toStrictEqual(["list", "--max", "1", "schools"])
    expect(words("users", "--fields", "a", "--fields", "b")).toStrictEqual(["users", "--fields", "a", "--fields", "b"])
    expect(reason("users", "--count=maybe")).toBe("--count: expected true or false, got 'maybe'")
    expect(reason("users", "-vq", "-q")).toBe("--quiet: given more than once")
  })

  it("help and version win; nothing else of @effect/cli's built-ins is accepted", () => {
    expect(Either.getOrThrow(check("users", "--max", "abc", "--help"))).toMatchObject({ _tag: "Help", command: { name: "users" } })
    expect(Either.getOrThrow(check("-h"))).toStrictEqual({ _tag: "Help", command: undefined })
    expect(Either.getOrThrow(check())).toStrictEqual({ _tag: "Help", command: undefined })
    expect(Either.getOrThrow(check("--version"))).toStrictEqual({ _tag: "Version" })
    expect(reason("users", "--wizard")).toBe("unknown flag --wizard")
    expect(reason("users", "--completions", "bash")).toBe("unknown flag --completions")
    expect(reason("--log-level", "debug")).toBe("expected a command (users, list, export) before --log-level")
  })

  it("positional arguments and required flags", () => {
    expect(reason("list", "pupils")).toMatch(/^<entity>: 'pupils' is not one of users, students, /)
    expect(reason("list")).toMatch(/^missing <entity>: one of users, /)
    expect(reason("list", "users", "extra")).toBe("unexpected argument 'extra'")
    expect(reason("users", "extra")).toBe("users takes no arguments; got 'extra'")
    expect(reason("export")).toBe("--out is required (DIR|FILE.zip)")
    expect(reason("export", "--out", "x.zip")).toBe("ok: Run")
    expect(reason("list", "--", "users")).toBe("ok: Run")
  })

  it("checks a flag added to a command or a shared group without changes here", () => {
    const spec: Help.Spec = {
      name: "users",
      summary: "test",
      options: { linger: Options.float("linger").pipe(Options.optional), ...Flags.connection },
      examples: []
    }
    const wrong = Argv.check([spec], ["users", "--linger", "soon"])
    expect(Either.isLeft(wrong) && wrong.left.reason).toBe("--linger: expected a number, got 'soon'")
    expect(Either.isRight(Argv.check([spec], ["users", "--linger", "2.5", "--deadline", "30", "--page-size", "10"]))).toBe(true)
  })
})
