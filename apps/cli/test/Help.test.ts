import { describe, expect, it } from "vitest"
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Flags from "../src/Flags.js"
import * as Help from "../src/Help.js"
import * as Main from "../src/main.js"

const plain: Help.Style = { color: false, width: 80 }

describe("Help", () => {
  it("reads flags back from their @effect/cli definitions", () => {
    expect(Help.flagsOf(Options.integer("max").pipe(Options.withPseudoName("N"), Options.withDescription("Stop after N"), Options.optional))).toStrictEqual([
      { long: "--max", short: [], kind: "integer", choices: [], placeholder: "N", description: "Stop after N", required: false, repeatable: false }
    ])
    expect(Help.flagsOf(Options.choice("role", ["a", "b"]).pipe(Options.withDefault("a" as const)))[0]).toMatchObject({
      kind: "choice",
      choices: ["a", "b"],
      placeholder: "a|b",
      required: false
    })
    expect(Help.flagsOf(Flags.diagnostics.quiet)[0]).toMatchObject({ long: "--quiet", short: ["-q"], kind: "boolean", placeholder: undefined })
    expect(Help.flagsOf(Flags.output.fields)[0]).toMatchObject({ kind: "text", repeatable: true, required: false })
    expect(Help.flagsOf(Flags.connection.timeout)[0]).toMatchObject({ kind: "float", placeholder: "SECONDS" })
    expect(Help.flagsOf(Options.text("out"))[0]).toMatchObject({ required: true, kind: "text" })
    const pathsAndDates: ReadonlyArray<Options.Options<unknown>> = [Options.file("queries"), Options.file("queries", { exists: "yes" }), Options.directory("dir"), Options.date("at")]
    for (const option of pathsAndDates) {
      expect(Help.flagsOf(option.pipe(Options.withDescription("Mine"), Options.optional))[0]!.description).toBe("Mine")
    }
    expect(Help.argsOf(Args.choice([["x", 1], ["y", 2]], { name: "thing" }).pipe(Args.withDescription("A thing")))).toStrictEqual([
      { name: "thing", kind: "choice", choices: ["x", "y"], description: "A thing", required: true }
    ])
  })

  it("groups by where a flag is declared: a new flag lands in its group without changes here", () => {
    const spec: Help.Spec = {
      name: "demo",
      summary: "a test command",
      options: { mine: Options.boolean("mine"), ...Flags.output, ...Flags.connection, deadline: Options.float("deadline"), ...Flags.diagnostics },
      examples: [["rosterkit demo", "runs"]]
    }
    const groups = Help.groups(spec)
    expect(groups.map((g) => g.title)).toStrictEqual(["Query", "Output", "Connection", "Diagnostics"])
    expect(groups[0]!.flags.map((f) => f.long)).toStrictEqual(["--mine", "--deadline"])
    expect(groups[2]!.flags.map((f) => f.long)).toContain("--client-secret")
    // --deadline is required here (no Options.optional), so the synopsis shows it.
    expect(Help.synopsis(spec)).toBe("rosterkit demo --deadline float [options]")
  })

  it("renders plain text by default and bold headings only for a colour terminal", () => {
    const users = Main.specs.find((s) => s.name === "users")!
    const text = Help.renderCommand(users, plain)
    expect(text).not.toContain("\x1b")
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80)
    expect(Help.renderCommand(users, { color: true, width: 80 })).toContain("\x1b[1mQuery:\x1b[0m")
    expect(Help.styleFor({ isTTY: true, columns: 100 }, {})).toStrictEqual({ color: true, width: 100 })
    expect(Help.styleFor({ isTTY: true, columns: 100 }, { NO_COLOR: "" })).toStrictEqual({ color: false, width: 100 })
    expect(Help.styleFor({ isTTY: false }, {})).toStrictEqual({ color: false, width: 80 })
  })
})
