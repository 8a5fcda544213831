/**
 * The command line as a person typed it, checked before @effect/cli parses it, so that every
 * mistake gets one line naming the flag, what it accepts and, for a typo, the closest flag:
 *
 *   rosterkit: --role: 'admins' is not one of students, teachers, users
 *   rosterkit: --max: expected a whole number, got 'abc'
 *   rosterkit: unknown flag --gruop; did you mean --group?
 *
 * It also decides what runs: `--help` / `-h` (anywhere, before `--`) shows help, `--version`
 * the version; nothing else of @effect/cli's built-ins (`--wizard`, `--completions`,
 * `--log-level`) is accepted. The flags themselves come from the command specs (Help), read
 * back from their @effect/cli definitions, so a new flag is checked without changes here.
 *
 * The syntax follows @effect/cli's: `--flag value` and `--flag=value`; flag names are
 * case-insensitive, values are not; a value flag takes the next word whatever it looks like
 * (`--max -3`); a boolean flag may take an explicit true/false word (`--count true`); short
 * boolean aliases cluster (`-qv`); `--` ends the flags.
 */
import * as Matcher from "@rosterkit/core/Matcher"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Help from "./Help.js"

/** A mistake on the command line (exit code 2). */
export class UsageError extends Data.TaggedError("UsageError")<{
  /** What is wrong, one line. */
  readonly reason: string
  /** The command it was for, when one was recognised. */
  readonly command: string | undefined
}> {
  override get message() {
    return this.reason
  }
}

/** What the command line asks for. */
export type Request =
  | { readonly _tag: "Help"; readonly command: Help.Spec | undefined }
  | { readonly _tag: "Version" }
  | {
      readonly _tag: "Run"
      readonly command: Help.Spec
      /** The words for @effect/cli: the command's name first, short flags spelled out. */
      readonly args: ReadonlyArray<string>
    }

const booleanWords = new Set(["true", "1", "y", "yes", "on", "false", "0", "n", "no", "off"])

/**
 * The candidate a typo most likely meant: core Matcher's nearest by edit distance (1 edit for
 * up to 3 letters, 2 up to 6, else 3), or else the one `word` begins (`--verb` for `--verbose`).
 */
export const didYouMean = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const bare = (s: string) => s.replace(/^-+/, "").toLowerCase()
  const letters = bare(word).length
  const limit = letters <= 3 ? 1 : letters <= 6 ? 2 : 3
  return Option.getOrUndefined(Matcher.nearest(word, candidates, limit)) ?? (letters >= 3 ? candidates.find((c) => bare(c).startsWith(bare(word))) : undefined)
}

const list = (values: ReadonlyArray<string>) => values.join(", ")

/** Checks one value against what the flag (or argument) accepts; the reason when it does not fit. */
export const checkValue = (kind: Help.Kind, choices: ReadonlyArray<string>, value: string): string | undefined => {
  switch (kind) {
    case "integer":
      return /^[+-]?\d+$/.test(value.trim()) ? undefined : `expected a whole number, got '${value}'`
    case "float":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? undefined : `expected a number, got '${value}'`
    case "choice":
      return choices.includes(value) ? undefined : `'${value}' is not one of ${list(choices)}`
    case "boolean":
      return booleanWords.has(value.toLowerCase()) ? undefined : `expected true or false, got '${value}'`
    case "text":
      return undefined
  }
}

const needs = (flag: Help.Flag) =>
  flag.choices.length > 0 ? `needs a value: one of ${list(flag.choices)}` : `needs a value${flag.placeholder === undefined ? "" : ` (${flag.placeholder})`}`

/** Checks `args` (the words after `rosterkit`) against the commands. */
export const check = (commands: ReadonlyArray<Help.Spec>, args: ReadonlyArray<string>): Either.Either<Request, UsageError> => {
  const beforeDashes = args.indexOf("--") === -1 ? args : args.slice(0, args.indexOf("--"))
  const named = beforeDashes.find((word) => commands.some((c) => c.name === word))
  const command = commands.find((c) => c.name === named)
  if (beforeDashes.includes("--help") || beforeDashes.includes("-h")) return Either.right({ _tag: "Help", command })
  if (beforeDashes.includes("--version")) return Either.right({ _tag: "Version" })
  const fail = (reason: string, on: string | undefined = command?.name) => Either.left(new UsageError({ reason, command: on }))
  const names = commands.map((c) => c.name)
  const first = args[0]
  if (first === undefined) return Either.right({ _tag: "Help", command: undefined })
  if (first !== command?.name) {
    if (first.startsWith("-")) return fail(`expected a command (${list(names)}) before ${first}`, undefined)
    const guess = didYouMean(first, names)
    return fail(`unknown command '${first}'${guess === undefined ? `; the commands are ${list(names)}` : `; did you mean ${guess}?`}`, undefined)
  }

  const flags = Help.allFlags(command)
  const byName = new Map<string, Help.Flag>()
  for (const flag of flags) for (const name of [flag.long, ...flag.short]) byName.set(name.toLowerCase(), flag)
  const longNames = flags.map((f) => f.long)
  const seen = new Set<Help.Flag>()
  const positional: Array<string> = []
  /** The words as @effect/cli gets them: clusters (`-qv`) spelled out (it does not read them). */
  const words: Array<string> = [command.name]

  /** Marks `flag` as given; the reason when it may not be given again. */
  const use = (flag: Help.Flag): string | undefined => {
    if (seen.has(flag) && !flag.repeatable) return `${flag.long}: given more than once`
    seen.add(flag)
    return undefined
  }

  for (let i = 1; i < args.length; i++) {
    const word = args[i]!
    if (word === "--") {
      positional.push(...args.slice(i + 1))
      words.push(...args.slice(i))
      break
    }
    if (!word.startsWith("-") || word.length === 1 || /^-\d/.test(word) || word.startsWith("--")) words.push(word)
    if (word.startsWith("--")) {
      const equals = word.indexOf("=")
      const name = equals === -1 ? word : word.slice(0, equals)
      const inline = equals === -1 ? undefined : word.slice(equals + 1)
      const flag = byName.get(name.toLowerCase())
      if (flag === undefined) {
        const guess = didYouMean(name, longNames)
        return fail(`unknown flag ${name}${guess === undefined ? "" : `; did you mean ${guess}?`}`)
      }
      const repeated = use(flag)
      if (repeated !== undefined) return fail(repeated)
      if (flag.kind === "boolean") {
        const explicit = inline ?? (booleanWords.has((args[i + 1] ?? "").toLowerCase()) ? args[++i] : undefined)
        if (inline === undefined && explicit !== undefined) words.push(explicit)
        const wrong = explicit === undefined ? undefined : checkValue("boolean", [], explicit)
        if (wrong !== undefined) return fail(`${flag.long}: ${wrong}`)
        continue
      }
      const value = inline ?? args[++i]
      if (value === undefined) return fail(`${flag.long}: ${needs(flag)}`)
      if (inline === undefined) words.push(value)
      const wrong = checkValue(flag.kind, flag.choices, value)
      if (wrong !== undefined) return fail(`${flag.long}: ${wrong}`)
      continue
    }
    if (word.startsWith("-") && word.length > 1 && !/^-\d/.test(word)) {
      const letters = [...word.slice(1)]
      for (const [j, letter] of letters.entries()) {
        const flag = byName.get(`-${letter}`.toLowerCase())
        if (flag === undefined) {
          const guess = letters.length === 1 ? undefined : didYouMean(`--${word.slice(1)}`, longNames)
          return fail(`unknown flag -${letter}${letters.length > 1 ? ` (in ${word})` : ""}${guess === undefined ? "" : `; did you mean ${guess}?`}`)
        }
        const repeated = use(flag)
        if (repeated !== undefined) return fail(repeated)
        words.push(flag.long)
        if (flag.kind !== "boolean") {
          if (j !== letters.length - 1) return fail(`-${letter} takes a value, so it cannot be grouped in ${word}`)
          const value = args[++i]
          if (value === undefined) return fail(`${flag.long}: ${needs(flag)}`)
          words.push(value)
          const wrong = checkValue(flag.kind, flag.choices, value)
          if (wrong !== undefined) return fail(`${flag.long}: ${wrong}`)
        }
      }
      continue
    }
    positional.push(word)
  }

  const expected = Help.allArgs(command)
  for (const [i, arg] of expected.entries()) {
    const value = positional[i]
    if (value === undefined) {
      if (arg.required) return fail(`missing <${arg.name}>${arg.choices.length > 0 ? `: one of ${list(arg.choices)}` : ""}`)
      continue
    }
    const wrong = checkValue(arg.kind, arg.choices, value)
    if (wrong !== undefined) return fail(`<${arg.name}>: ${wrong}`)
  }
  if (positional.length > expected.length) {
    const extra = positional[expected.length]!
    return fail(expected.length === 0 ? `${command.name} takes no arguments; got '${extra}'` : `unexpected argument '${extra}'`)
  }
  for (const flag of flags) {
    if (flag.required && !seen.has(flag)) return fail(`${flag.long} is required${flag.placeholder === undefined ? "" : ` (${flag.placeholder})`}`)
  }
  return Either.right({ _tag: "Run", command, args: words })
}
