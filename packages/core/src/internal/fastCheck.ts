/**
 * A fast yes/no check compiled from a Schema's AST, for decoding pages of records without
 * building a new object per record.
 *
 * It covers the schemas whose decoding changes nothing — plain strings, numbers, booleans,
 * literals, unions, arrays, refinements (their own filter is called), declarations without type
 * parameters, transformations annotated with `PassThrough`, and structs that keep every
 * extra field (an index signature) — so a record that passes can be used as it is: decoding it
 * would give an equal object. A record that fails is decoded by the Schema itself, which names
 * the field (the check only says yes or no). `compile` returns undefined for any schema it does
 * not cover (a transformation, a struct that drops unknown fields …): the caller then decodes
 * everything with the Schema, as before. A struct's check is generated code where the runtime
 * allows it (`structCheck`).
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"

export type Check = (input: unknown) => boolean

/**
 * An annotation for a transformation whose decode gives back its input unchanged whenever the
 * input passes its `from` schema and this predicate: the check is then `from` plus the predicate
 * (Model.User: a 1.1 record passes through; a 1.2 record without `role` is decoded).
 */
export const PassThrough: unique symbol = Symbol.for("@rosterkit/core/FastCheck/PassThrough")
export type PassThrough = (input: Record<string, unknown>) => boolean

/**
 * Annotates a transformation with its decoding as a plain function of a wire value that passed
 * the wire side's check: the decoded value, or undefined where it declines (the Schema then
 * decodes, and names what is wrong). It must give what the transformation's decode gives. With
 * `reuse` the input is the caller's to change (a record just parsed from JSON): the function may
 * complete it in place and return it instead of building a copy.
 */
export const Decode: unique symbol = Symbol.for("@rosterkit/core/FastCheck/Decode")
export type Decode = (input: Record<string, unknown>, reuse: boolean) => unknown

const parseOptions = { errors: "all" } as const

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The check of `ast`, or undefined when decoding `ast` may change its input. With `generate`
 * false, structs are checked by a loop over their fields instead of generated code (see
 * `structCheck`; tests compare the two).
 */
export const compile = (ast: SchemaAST.AST, generate = true): Check | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string"
    case "NumberKeyword":
      return (u) => typeof u === "number"
    case "BooleanKeyword":
      return (u) => typeof u === "boolean"
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal
    }
    case "Union": {
      // A union of literals (an enum) is one Set lookup; `NullOr(x)` is a null test and `x`.
      if (ast.types.every((t) => t._tag === "Literal")) {
        const literals = new Set<unknown>(ast.types.map((t) => (t as SchemaAST.Literal).literal))
        return (u) => literals.has(u)
      }
      const members = ast.types.map((t) => compile(t, generate))
      if (members.some((m) => m === undefined)) return undefined
      const checks = members as ReadonlyArray<Check>
      const nullAt = ast.types.findIndex((t) => t._tag === "Literal" && t.literal === null)
      if (checks.length === 2 && nullAt >= 0) {
        const other = checks[1 - nullAt]!
        return (u) => u === null || other(u)
      }
      return (u) => {
        for (const check of checks) if (check(u)) return true
        return false
      }
    }
    case "Refinement": {
      const from = compile(ast.from, generate)
      if (from === undefined) return undefined
      return (u) => from(u) && Option.isNone(ast.filter(u, parseOptions, ast))
    }
    case "TupleType": {
      // Only plain arrays: no fixed elements, one rest type.
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0]!.type, generate)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return false
        for (let i = 0; i < u.length; i++) if (!item(u[i])) return false
        return true
      }
    }
    case "TypeLiteral": {
      // Pass-through needs every extra field kept: exactly one string index signature.
      if (ast.indexSignatures.length !== 1 || ast.indexSignatures[0]!.parameter._tag !== "StringKeyword") return undefined
      const rest = compile(ast.indexSignatures[0]!.type, generate)
      if (rest === undefined) return undefined
      const restIsAny = ast.indexSignatures[0]!.type._tag === "UnknownKeyword" || ast.indexSignatures[0]!.type._tag === "AnyKeyword"
      const properties: Array<Property> = []
      for (const ps of ast.propertySignatures) {
        if (typeof ps.name !== "string") return undefined
        const check = compile(ps.type, generate)
        if (check === undefined) return undefined
        properties.push({ name: ps.name, optional: ps.isOptional, check })
      }
      const generated = generate ? structCheck(properties, restIsAny ? undefined : rest) : undefined
      if (generated !== undefined) return generated
      const hasOwn = Object.prototype.hasOwnProperty
      return (u) => {
        if (!isRecord(u)) return false
        for (let i = 0; i < properties.length; i++) {
          const p = properties[i]!
          const value = u[p.name]
          // (a field read as undefined is absent, or present and undefined: only then is hasOwn asked)
          if (value !== undefined) {
            if (!p.check(value)) return false
          } else if (hasOwn.call(u, p.name) || !p.optional) {
            if (!p.check(undefined)) return false
          }
        }
        if (!restIsAny) for (const key of Object.keys(u)) if (!rest(u[key])) return false
        return true
      }
    }
    case "Declaration": {
      // A declaration without type parameters (Schema.declare(is)): its decode gives back its input.
      if (ast.typeParameters.length > 0) return undefined
      return Schema.is(Schema.make(ast))
    }
    case "Transformation": {
      const passThrough = ast.annotations[PassThrough] as PassThrough | undefined
      if (passThrough === undefined) return undefined
      const from = compile(ast.from, generate)
      if (from === undefined) return undefined
      return (u) => from(u) && passThrough(u as Record<string, unknown>)
    }
    default:
      return undefined
  }
}

interface Property {
  readonly name: string
  readonly optional: boolean
  readonly check: Check
}

/**
 * A struct's check as straight-line code (`new Function`), one named read and one call per
 * field: `u["sourcedId"]`, then that field's own check. The loop over the fields does the same
 * with one read site and one call site for every field and struct, which V8 can neither cache
 * by shape nor inline: the generated check of a OneRoster user is ~3x as fast. Where code cannot
 * be generated (a Content-Security-Policy without 'unsafe-eval') it is undefined, and the loop
 * is used. Field names are written as JSON string literals.
 */
const structCheck = (properties: ReadonlyArray<Property>, rest: Check | undefined): Check | undefined => {
  const lines = properties.map((p, i) => {
    const key = JSON.stringify(p.name)
    const absent = p.optional ? `hasOwn.call(u, ${key}) && !c${i}(undefined)` : `!c${i}(undefined)`
    return `v = u[${key}]; if (v !== undefined) { if (!c${i}(v)) return false } else if (${absent}) return false;`
  })
  const restLine = rest === undefined ? "" : "for (const key of Object.keys(u)) if (!rest(u[key])) return false;"
  const body = `return function check(u) { if (!isRecord(u)) return false; let v; ${lines.join(" ")} ${restLine} return true }`
  try {
    const make = new Function("isRecord", "hasOwn", "rest", ...properties.map((_, i) => `c${i}`), body) as (...args: ReadonlyArray<unknown>) => Check
    return make(isRecord, Object.prototype.hasOwnProperty, rest, ...properties.map((p) => p.check))
  } catch {
    return undefined
  }
}

const compiled = new WeakMap<SchemaAST.AST, Check | null>()

/** `compile`, memoized per AST. */
export const of = (ast: SchemaAST.AST): Check | undefined => {
  const known = compiled.get(ast)
  if (known !== undefined) return known ?? undefined
  const check = compile(ast)
  compiled.set(ast, check ?? null)
  return check
}

/** A wire value to its decoded value, or undefined where the check or the decoding declines. */
type Decoder = (input: unknown, reuse?: boolean) => unknown

const decoders = new WeakMap<SchemaAST.AST, Decoder | null>()

/**
 * For a transformation annotated with {@link Decode} whose wire side `compile` covers: checks
 * the wire side, then decodes with the annotation (undefined when either declines). Memoized
 * per AST. A OneRoster 1.2 user (`roles[]`) is mapped onto the one user model this way instead
 * of through the Schema, record by record.
 */
export const decoderOf = (ast: SchemaAST.AST): Decoder | undefined => {
  const known = decoders.get(ast)
  if (known !== undefined) return known ?? undefined
  let decoder: Decoder | undefined
  const decode = ast._tag === "Transformation" ? (ast.annotations[Decode] as Decode | undefined) : undefined
  const from = ast._tag === "Transformation" && decode !== undefined ? of(ast.from) : undefined
  if (decode !== undefined && from !== undefined) {
    decoder = (input, reuse = false) => (from(input) ? decode(input as Record<string, unknown>, reuse) : undefined)
  }
  decoders.set(ast, decoder ?? null)
  return decoder
}
