/**
 * Records generated from the Clever v3.0 Swagger definitions (test/fixtures/clever-v3.0-definitions.json,
 * converted once from specs/clever/v3.0.yml), in three shapes:
 *
 * - `minimal`: only `id` (the one field rosterkit requires; the spec marks none required);
 * - `full`: every property the spec lists, nested objects full too, plus unknown extra fields
 *   at every level (as a newer Clever would send);
 * - `nulls`: `id` plus every `x-nullable` property set to null.
 */
import { readFileSync } from "node:fs"

export interface Property {
  readonly type?: string
  readonly $ref?: string
  readonly items?: Property
  readonly enum?: ReadonlyArray<string>
  readonly pattern?: string
  readonly format?: string
  readonly properties?: Record<string, Property>
  readonly "x-nullable"?: boolean
}

export interface Definition {
  readonly type?: string
  readonly properties?: Record<string, Property>
}

export const definitions: Record<string, Definition> = (
  JSON.parse(readFileSync(new URL("./fixtures/clever-v3.0-definitions.json", import.meta.url), "utf8")) as {
    definitions: Record<string, Definition>
  }
).definitions

export type Shape = "minimal" | "full" | "nulls"

/** The definition a `$ref` names. */
export const resolve = (ref: string): Definition => {
  const name = ref.replace("#/definitions/", "")
  const definition = definitions[name]
  if (definition === undefined) throw new Error(`unknown definition ${ref}`)
  return definition
}

const stringValue = (property: Property, path: string): string => {
  const choice = property.enum?.find((value) => value !== "")
  if (choice !== undefined) return choice
  if (property.pattern !== undefined) return "01/02/2010"
  if (property.format === "date") return "2024-01-02"
  if (property.format === "datetime" || property.format === "date-time") return "2024-01-02T03:04:05.678Z"
  return `${path}-value`
}

const value = (property: Property, path: string): unknown => {
  if (property.$ref !== undefined) return record(resolve(property.$ref), "full", path)
  switch (property.type) {
    case "array":
      return [value(property.items ?? { type: "string" }, `${path}[0]`)]
    case "object":
      return property.properties === undefined
        ? { [`${path}_custom`]: "district field", nested: { deep: [1, true, null] } }
        : record(property as Definition, "full", path)
    case "integer":
    case "number":
      return 7
    case "boolean":
      return true
    default:
      return stringValue(property, path)
  }
}

/**
 * One record of `definition` in `shape`. `required` fields are set in every shape (for the
 * top-level records: `id`).
 */
export const record = (definition: Definition, shape: Shape, path: string, required: ReadonlyArray<string> = []): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(definition.properties ?? {})) {
    const here = `${path}.${name}`
    if (required.includes(name)) out[name] = value(property, here)
    else if (shape === "full") out[name] = value(property, here)
    else if (shape === "nulls" && property["x-nullable"] === true) out[name] = null
  }
  if (shape === "full") {
    out.x_unknown_text = `${path} extra`
    out.x_unknown_object = { kept: true, list: [1, "two", { three: 3 }] }
  }
  return out
}

/** The top-level records rosterkit reads, by definition name. */
export const recordDefinitions = ["User", "Section", "School", "Course", "Term", "District"] as const
export type RecordDefinition = (typeof recordDefinitions)[number]

/** A record of a top-level definition: always with its `id`. */
export const topLevel = (name: RecordDefinition, shape: Shape, id = `${name.toLowerCase()}-1`): Record<string, unknown> => ({
  ...record(resolve(`#/definitions/${name}`), shape, name),
  id
})
