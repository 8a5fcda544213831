/**
 * The `rosterkit-http` executable as users run it (`pnpm --silent rosterkit-http`: tsx over the
 * sources): it serves the demo district when nothing is configured and says so, stops cleanly on
 * SIGTERM, and refuses a configured district without clients with one line and exit code 3.
 */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const repoRoot = path.resolve(appDir, "..", "..")
const bin = path.join(appDir, "src", "bin.ts")

const cleanEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("ROSTERKIT_")) env[k] = v
  return { ...env, ...extra }
}

const launch = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, ["--conditions=@rosterkit/source", "--import", "tsx", bin, ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const timer = setTimeout(() => child.kill("SIGKILL"), 170_000)
  void exited.then(() => clearTimeout(timer))
  return { child, exited, out: () => stdout, err: () => stderr }
}

describe("rosterkit-http", () => {
  it("serves the demo district on 127.0.0.1 when nothing is configured, and stops on SIGTERM", { timeout: 200_000 }, async () => {
    const run = launch(["--port", "0"])
    let url: string | undefined
    for (let i = 0; i < 1500 && url === undefined; i++) {
      url = /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.err())?.[1]
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(url, run.err()).toBeDefined()
    expect(run.err()).toContain("reading the demo district")
    // The line is written only once the gateway answers: the first connection is served.
    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    const token = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"
    })
    const { access_token } = (await token.json()) as { access_token: string }
    const users = await fetch(`${url}/v1/users?group=classes&name=31763`, { headers: { authorization: `Bearer ${access_token}` } })
    expect(((await users.json()) as Array<unknown>).length).toBe(3)
    run.child.kill("SIGTERM")
    expect(await run.exited).toBe(0)
    expect(run.out()).toMatch(/GET \/v1\/users\?group=classes&name=31763 200 \d+ms client=demo-client/)
  })

  it("a configured SIS without gateway clients: one line, exit code 3", { timeout: 200_000 }, async () => {
    const run = launch(["--port", "0", "--provider", "oneroster", "--host", "https://sis.example.org", "--client-id", "x", "--client-secret", "y"])
    expect(await run.exited).toBe(3)
    expect(run.err().trim().split("\n")).toHaveLength(1)
    expect(run.err()).toContain("ROSTERKIT_GATEWAY_CLIENT_ID")
    expect(run.err()).not.toContain("y\n")
  })
})
