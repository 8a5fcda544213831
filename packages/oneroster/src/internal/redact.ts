/**
 * The last line of defence for secrets: before an error leaves the package, any occurrence of a
 * secret (raw or percent-encoded) in its text fields is replaced. URLs are already redacted by
 * core's Http; this also covers a server that echoes a credential back in its error body.
 */
import type { RosterError } from "@rosterkit/core/RosterError"

const mask = "[REDACTED]"

const variants = (secret: string): ReadonlyArray<string> => {
  const encoded = encodeURIComponent(secret)
  return encoded === secret ? [secret] : [secret, encoded, encoded.replace(/%20/g, "+")]
}

/** `error` with every secret in `secrets` masked (the same instance when none occurs). */
export const scrub = <E extends RosterError>(error: E, secrets: ReadonlyArray<string>): E => {
  // Very short "secrets" would mask ordinary words; real credentials are longer.
  const needles = secrets.filter((s) => s.length >= 4).flatMap(variants)
  if (needles.length === 0) return error
  const clean = (text: string) => needles.reduce((acc, needle) => acc.split(needle).join(mask), text)
  const fields: Record<string, unknown> = {}
  let dirty = false
  for (const [key, value] of Object.entries(error)) {
    if (key === "_tag") continue
    if (typeof value === "string") {
      const cleaned = clean(value)
      if (cleaned !== value) dirty = true
      fields[key] = cleaned
    } else {
      fields[key] = value
    }
  }
  if (!dirty && !needles.some((needle) => (error.stack ?? "").includes(needle))) return error
  const Constructor = error.constructor as new (fields: Record<string, unknown>) => E
  const copy = new Constructor(fields)
  if (copy.stack !== undefined) copy.stack = clean(copy.stack)
  return copy
}
