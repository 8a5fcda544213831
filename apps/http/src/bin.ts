#!/usr/bin/env node
/**
 * The `rosterkit-http` executable. A configuration mistake is one `rosterkit-http: <message>`
 * line on stderr and exit code 3; SIGINT / SIGTERM stop the server gracefully (exit 0).
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Main from "./main.js"

// No tracer is installed: spans (one per request, upstream call and Effect.fn) would be built and dropped.
NodeRuntime.runMain(Effect.suspend(() => Main.run(process.argv)).pipe(Effect.provide(NodeContext.layer), Effect.withTracerEnabled(false)), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    let code = 0
    if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
      const error = Cause.squash(exit.cause)
      const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
      const message = error instanceof Error ? error.message : String(error)
      // @effect/cli has already printed usage errors.
      if (!tag.startsWith("ValidationError") && tag !== "") process.stderr.write(`rosterkit-http: ${message}\n`)
      else if (tag === "") process.stderr.write(`rosterkit-http: ${message}\n`)
      code = tag === "ConfigurationError" ? 3 : tag === "ServeError" ? 1 : 2
      if (tag === "") code = 1
    }
    process.exitCode = code
    onExit(code)
  }
})
