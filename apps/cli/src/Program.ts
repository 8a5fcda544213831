/**
 * What the `rosterkit` executable runs (bin.ts loads it for everything but `--version`): the
 * command tree on process.argv, ending the process with the exit codes of ExitCode (0 ok,
 * 2 usage, 3 configuration, 4 auth, 5 upstream, 1 other) and leaving one `rosterkit: <message>`
 * line on stderr for a failure.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ExitCode from "./ExitCode.js"
import * as Main from "./main.js"
import * as Output from "./Output.js"

const args = process.argv.slice(2)
const debug = args.some((arg) => arg === "--verbose" || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(arg)) || (process.env["ROSTERKIT_DEBUG"] ?? "") !== ""

/** Outside a command (before its own logger is installed) only warnings and errors show, on stderr. */
const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) {
      const text = (Array.isArray(message) ? message : [message]).map(String).join(" ")
      process.stderr.write(`rosterkit: ${logLevel.label.toLowerCase()}: ${text}\n`)
    }
  })
)

/**
 * What the commands use of the platform: files, paths and the terminal (@effect/cli's parser).
 * Not NodeContext: its command executor and worker manager would be loaded and built on every
 * run for nothing.
 */
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

const program = Effect.suspend(() => Main.run(process.argv)).pipe(
  Effect.provide(Layer.mergeAll(platform, Output.layer, stderrLogger)),
  // No tracer is installed, so spans would only be built and dropped: a span per request and
  // per Effect.fn call (with a captured stack trace) cost more CPU than the JSON of a page.
  Effect.withTracerEnabled(false)
)

/** Runs the command line and ends the process with its exit code. */
export const main = (): void =>
  NodeRuntime.runMain(program, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const { code, lines } = ExitCode.report(exit, args, debug)
      for (const line of lines) process.stderr.write(`${line}\n`)
      process.exitCode = code
      onExit(code)
    }
  })
