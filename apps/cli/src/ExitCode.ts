/**
 * Exit codes, and the one-line message a failure leaves on stderr (never a stack trace for a
 * user's mistake):
 *
 * | code | meaning |
 * | ---- | ------- |
 * | 0    | success (also: a group that matched nothing, with a warning; stdout closed early) |
 * | 1    | anything else (a record not found, an unsupported operation, a bug) |
 * | 2    | usage error: unknown command, flag or value, a group without a name, a bad filter (one line naming the flag, then the usage line) |
 * | 3    | configuration error: a missing or bad setting, a malformed --config file |
 * | 4    | authentication failed (wrong id or secret, expired token) |
 * | 5    | the SIS failed: network, timeout, 5xx or 429 after every retry, a malformed answer |
 * | 130  | interrupted (Ctrl-C) |
 */
import * as ValidationError from "@effect/cli/ValidationError"
import type { RosterError } from "@rosterkit/core/RosterError"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Argv from "./Argv.js"
import * as Help from "./Help.js"
import * as Main from "./main.js"

export const success = 0
export const failure = 1
export const usage = 2
export const configuration = 3
export const auth = 4
export const upstream = 5
export const interrupted = 130

/** What the process ends with. */
export interface Report {
  readonly code: number
  /** Lines for stderr. */
  readonly lines: ReadonlyArray<string>
}

const specNamed = (name: string) => Main.specs.find((spec) => spec.name === name)

/**
 * "usage: rosterkit users [options]  (see rosterkit users --help)" for the command named (or the
 * first found in `args`). The synopsis is built when asked for: it walks every flag's help, which
 * a run that goes well never needs.
 */
export const usageLine = (args: ReadonlyArray<string>, command?: string): string => {
  const spec = command !== undefined ? specNamed(command) : args.map(specNamed).find((found) => found !== undefined)
  return spec === undefined
    ? "usage: rosterkit <command> [options]  (see rosterkit --help)"
    : `usage: ${Help.synopsis(spec)}  (see rosterkit ${spec.name} --help)`
}

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

const rosterTags = new Set([
  "InvalidQuery",
  "ConfigurationError",
  "AuthError",
  "NotFound",
  "RateLimited",
  "ResponseError",
  "TransportError",
  "DecodeError",
  "InconsistentSnapshot",
  "Unsupported"
])

const isRosterError = (error: unknown): error is RosterError =>
  typeof error === "object" && error !== null && rosterTags.has((error as { readonly _tag?: unknown })._tag as string)

/** The exit code of a RosterError. */
export const ofRosterError = (error: RosterError): number => {
  switch (error._tag) {
    case "InvalidQuery":
      return usage
    case "ConfigurationError":
      return configuration
    case "AuthError":
      return auth
    case "RateLimited":
    case "ResponseError":
    case "TransportError":
    case "DecodeError":
    case "InconsistentSnapshot":
      return upstream
    case "NotFound":
    case "Unsupported":
      return failure
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { readonly message: unknown }).message)
    : String(error)

/** The code and stderr lines for a failure value. `args` are the command-line arguments. */
export const ofError = (error: unknown, args: ReadonlyArray<string>): Report => {
  if (error instanceof Argv.UsageError) {
    return { code: usage, lines: [`rosterkit: ${error.reason}`, usageLine(args, error.command ?? "")] }
  }
  if (ValidationError.isValidationError(error)) {
    // Argv checks the words first; this is what @effect/cli found beyond that.
    const text = "error" in error ? Help.plainText(error.error) : ""
    return { code: usage, lines: [`rosterkit: ${text === "" ? "invalid command line" : text}`, usageLine(args)] }
  }
  if (isRosterError(error)) {
    if (error._tag === "InvalidQuery") {
      return { code: usage, lines: [`rosterkit: invalid --${kebab(error.field)}: ${error.reason}`, usageLine(args)] }
    }
    return { code: ofRosterError(error), lines: [`rosterkit: ${error.message.replace(/^rosterkit: /, "")}`] }
  }
  if (typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "BrokenPipe") {
    const code = (error as { readonly code?: unknown }).code
    return code === "EPIPE" ? { code: success, lines: [] } : { code: failure, lines: [`rosterkit: ${messageOf(error)}`] }
  }
  return { code: failure, lines: [`rosterkit: ${messageOf(error)}`] }
}

/** The report of a finished program. `debug` adds the full cause of a defect. */
export const report = (exit: Exit.Exit<unknown, unknown>, args: ReadonlyArray<string>, debug = false): Report => {
  if (Exit.isSuccess(exit)) return { code: success, lines: [] }
  const cause = exit.cause
  if (Cause.isInterruptedOnly(cause)) return { code: interrupted, lines: [] }
  const failed = Cause.failureOption(cause)
  if (Option.isSome(failed)) return ofError(failed.value, args)
  const defect = Cause.dieOption(cause)
  const what = Option.match(defect, { onNone: () => "unknown failure", onSome: messageOf })
  return {
    code: failure,
    lines: [
      `rosterkit: internal error: ${what}`,
      ...(debug ? [Cause.pretty(cause)] : ["(run with --verbose or ROSTERKIT_DEBUG=1 for details; please report this)"])
    ]
  }
}
