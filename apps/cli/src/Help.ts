/**
 * The help a person reads, rendered from the commands' own definitions (one source of truth):
 * each command declares a `Spec` — its name, a one-line summary, its @effect/cli options and
 * args, and examples — and everything else (flag names, value names, choices, whether a flag is
 * a number, repeatable or required, its description) is read back from the @effect/cli
 * `Options` / `Args` values through their public `getUsage` / `getHelp`.
 *
 * Flags are grouped by where they are declared: the flag groups of Flags.ts (output,
 * connection, diagnostics) by identity, everything else the command declares itself in its
 * own group (query for users and list). A flag added to a group or a command shows up in the
 * right place without touching this module.
 *
 * The text is plain (no ANSI) unless stdout is a terminal and NO_COLOR is unset; then only
 * the section headings are bold.
 */
import type * as Args from "@effect/cli/Args"
import * as CliArgs from "@effect/cli/Args"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as CliOptions from "@effect/cli/Options"
import type * as Options from "@effect/cli/Options"
import type * as Usage from "@effect/cli/Usage"
import * as Flags from "./Flags.js"

// ---------------------------------------------------------------------------------------------
// Specs

/** What a command tells `--help`. */
export interface Spec {
  /** The command's name (`users`). */
  readonly name: string
  /** One line, for `rosterkit --help` and the top of the command's help. */
  readonly summary: string
  /** A few sentences more (optional), shown under the usage line. */
  readonly description?: ReadonlyArray<string> | undefined
  /** Positional arguments, as passed to Command.make. */
  readonly args?: Readonly<Record<string, Args.Args<unknown>>> | undefined
  /** Every option of the command, as passed to Command.make. */
  readonly options: Readonly<Record<string, Options.Options<unknown>>>
  /** The title of the group of the command's own flags (default "Query"). */
  readonly ownGroup?: string | undefined
  /** 3–5 examples: `[command line, what it does]`. */
  readonly examples: ReadonlyArray<readonly [string, string]>
}

/** The kinds of value a flag or argument takes. */
export type Kind = "boolean" | "integer" | "float" | "choice" | "text"

/** A flag, as read back from its @effect/cli definition. */
export interface Flag {
  /** `--page-size` */
  readonly long: string
  /** Short aliases (`-q`). */
  readonly short: ReadonlyArray<string>
  readonly kind: Kind
  /** The accepted values of a choice. */
  readonly choices: ReadonlyArray<string>
  /** The value's name in help (`N`, `URL`, `students|teachers|users`); none for a boolean. */
  readonly placeholder: string | undefined
  readonly description: string
  /** Must be given. */
  readonly required: boolean
  /** May be given more than once. */
  readonly repeatable: boolean
}

/** A positional argument. */
export interface Arg {
  /** `entity` (shown `<entity>`). */
  readonly name: string
  readonly kind: Kind
  readonly choices: ReadonlyArray<string>
  readonly description: string
  readonly required: boolean
}

export interface Group {
  readonly title: string
  readonly note?: string | undefined
  readonly flags: ReadonlyArray<Flag>
}

// ---------------------------------------------------------------------------------------------
// Reading @effect/cli definitions back

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Weak":
    case "Strong":
    case "Highlight":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
  }
}

/** The plain text of a HelpDoc (an @effect/cli error message), paragraphs joined by a space. */
export const plainText = (doc: HelpDoc.HelpDoc): string => paragraphs(doc).join(" ")

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Paragraph":
    case "Header":
      return [spanText(doc.value)]
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "DescriptionList":
      return doc.definitions.flatMap(([, description]) => paragraphs(description))
    case "Enumeration":
      return doc.elements.flatMap(paragraphs)
    case "Empty":
      return []
  }
}

/** @effect/cli's own sentences about a value's type, and what they say. */
const typeSentences: ReadonlyArray<readonly [RegExp, Kind]> = [
  [/^A true or false value\.$/, "boolean"],
  [/^An integer\.$/, "integer"],
  [/^A floating point number\.$/, "float"],
  [/^One of the following: /, "choice"],
  [/^A user-defined piece of text/, "text"]
]
const generatedSentence =
  /^(This (setting|option|argument) |An? (existing )?(date|file|directory)\b|A (file|directory|file or directory) that must not exist\.|A user-defined piece of text|A date without a time-zone)/

const describe = (doc: HelpDoc.HelpDoc): { readonly kind: Kind; readonly description: string } => {
  const texts = paragraphs(doc)
  let kind: Kind = "text"
  for (const text of texts) {
    const match = typeSentences.find(([pattern]) => pattern.test(text))
    if (match !== undefined) {
      kind = match[1]
      break
    }
  }
  const description = texts.filter((t) => !typeSentences.some(([pattern]) => pattern.test(t)) && !generatedSentence.test(t)).join(" ")
  return { kind, description }
}

interface NamedUsage {
  readonly named: Usage.Named
  readonly optional: boolean
  readonly repeated: boolean
}

const namedUsages = (usage: Usage.Usage, optional = false, repeated = false): Array<NamedUsage> => {
  switch (usage._tag) {
    case "Named":
      return [{ named: usage, optional, repeated }]
    case "Optional":
      return namedUsages(usage.usage, true, repeated)
    case "Repeated":
      return namedUsages(usage.usage, true, true)
    case "Alternation":
      return [...namedUsages(usage.left, true, repeated), ...namedUsages(usage.right, true, repeated)]
    case "Concat":
      return [...namedUsages(usage.left, optional, repeated), ...namedUsages(usage.right, optional, repeated)]
    case "Empty":
    case "Mixed":
      return []
  }
}

const choicesOf = (accepted: string | undefined, kind: Kind) =>
  kind === "choice" && accepted !== undefined ? accepted.split(" | ").map((c) => c.trim()) : []

/** The flags one @effect/cli option value stands for (one, unless it combines several). */
export const flagsOf = (option: Options.Options<unknown>): ReadonlyArray<Flag> => {
  const { kind, description } = describe(CliOptions.getHelp(option))
  return namedUsages(CliOptions.getUsage(option)).map(({ named, optional, repeated }) => {
    const accepted = named.acceptedValues._tag === "Some" ? named.acceptedValues.value : undefined
    const choices = choicesOf(accepted, kind)
    const long = named.names.find((n) => n.startsWith("--")) ?? named.names[0] ?? "--?"
    return {
      long,
      short: named.names.filter((n) => n !== long),
      kind,
      choices,
      placeholder: kind === "boolean" ? undefined : choices.length > 0 ? choices.join("|") : accepted,
      description,
      required: !optional,
      repeatable: repeated
    }
  })
}

/** The positional arguments of one @effect/cli args value. */
export const argsOf = (args: Args.Args<unknown>): ReadonlyArray<Arg> => {
  const { kind, description } = describe(CliArgs.getHelp(args))
  const accepted = paragraphs(CliArgs.getHelp(args)).find((t) => t.startsWith("One of the following: "))
  const choices = accepted === undefined ? [] : accepted.slice("One of the following: ".length).split(", ")
  return namedUsages(CliArgs.getUsage(args)).map(({ named, optional }) => ({
    name: (named.names[0] ?? "arg").replace(/^<|>$/g, ""),
    kind,
    choices,
    description,
    required: !optional
  }))
}

/** Every flag of a command, with the group it is shown in. */
export const groups = (spec: Spec): ReadonlyArray<Group> => {
  const shared = Flags.groups.map((group) => ({ group, members: new Set<unknown>(Object.values(group.options)) }))
  const own: Array<Flag> = []
  const byGroup = new Map<string, Array<Flag>>()
  for (const option of Object.values(spec.options)) {
    const home = shared.find(({ members }) => members.has(option))
    if (home === undefined) own.push(...flagsOf(option))
    else byGroup.set(home.group.title, [...(byGroup.get(home.group.title) ?? []), ...flagsOf(option)])
  }
  const result: Array<Group> = own.length > 0 ? [{ title: spec.ownGroup ?? "Query", flags: own }] : []
  for (const { group } of shared) {
    const flags = byGroup.get(group.title)
    if (flags !== undefined) result.push({ title: group.title, note: group.note, flags })
  }
  return result
}

/** `--help`, shown with the diagnostics. */
export const helpFlag: Flag = {
  long: "--help",
  short: ["-h"],
  kind: "boolean",
  choices: [],
  placeholder: undefined,
  description: "This help",
  required: false,
  repeatable: false
}

/** Every flag a command accepts (including --help). */
export const allFlags = (spec: Spec): ReadonlyArray<Flag> => [...groups(spec).flatMap((g) => g.flags), helpFlag]

/** The positional arguments of a command. */
export const allArgs = (spec: Spec): ReadonlyArray<Arg> => Object.values(spec.args ?? {}).flatMap(argsOf)

/** `rosterkit list <entity> [options]`, `rosterkit export --out DIR|FILE.zip [options]`. */
export const synopsis = (spec: Spec): string => {
  const args = allArgs(spec).map((a) => (a.required ? `<${a.name}>` : `[<${a.name}>]`))
  const required = allFlags(spec)
    .filter((f) => f.required)
    .map((f) => (f.placeholder === undefined ? f.long : `${f.long} ${f.placeholder}`))
  return ["rosterkit", spec.name, ...args, ...required, "[options]"].join(" ")
}

// ---------------------------------------------------------------------------------------------
// Rendering

export interface Style {
  /** Bold headings (a terminal without NO_COLOR). */
  readonly color: boolean
  /** Columns to wrap at. */
  readonly width: number
}

/** Plain text for anything but a terminal; NO_COLOR (any value) turns colour off too. */
export const styleFor = (stdout: { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined }, env: NodeJS.ProcessEnv): Style => {
  const tty = stdout.isTTY === true
  return {
    color: tty && env["NO_COLOR"] === undefined,
    width: tty && stdout.columns !== undefined && stdout.columns >= 40 ? Math.min(stdout.columns, 120) : 80
  }
}

const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** Two columns: `left` padded to `column`, `right` wrapped after it (on the next line when `left` is too wide). */
const twoColumns = (rows: ReadonlyArray<readonly [string, string]>, style: Style, indent = 2, width?: number): Array<string> => {
  const column = width === undefined ? columnFor(rows.map(([left]) => left), 31) : width + 2
  const room = Math.max(20, style.width - indent - column)
  const pad = " ".repeat(indent + column)
  return rows.flatMap(([left, right]) => {
    const wrapped = right === "" ? [] : wrap(right, room)
    const head = `${" ".repeat(indent)}${left}`
    if (left.length + 2 > column || wrapped.length === 0) return [head, ...wrapped.map((l) => pad + l)].map((l) => l.trimEnd())
    return [`${head.padEnd(indent + column)}${wrapped[0]}`, ...wrapped.slice(1).map((l) => pad + l)]
  })
}

/** The width of a left column (plus the gap) that fits `lefts`, at most `max`. */
const columnFor = (lefts: ReadonlyArray<string>, max: number) => Math.min(max, Math.max(0, ...lefts.map((l) => l.length))) + 2

const heading = (text: string, style: Style) => (style.color ? `\x1b[1m${text}\x1b[0m` : text)

const flagLeft = (flag: Flag) => {
  const names = [...flag.short, flag.long].join(", ")
  const value = flag.placeholder === undefined ? names : `${names} ${flag.placeholder}`
  return flag.repeatable ? `${value}…` : value
}

/** Each example as a `# what it does` line over the command line. */
const examples = (list: ReadonlyArray<readonly [string, string]>) => list.flatMap(([line, what]) => [`  # ${what}`, `  ${line}`])

/** `rosterkit <command> --help`. */
export const renderCommand = (spec: Spec, style: Style): string => {
  const lines: Array<string> = [
    ...wrap(`rosterkit ${spec.name} — ${spec.summary}`, style.width),
    "",
    `${heading("Usage:", style)} ${synopsis(spec)}`
  ]
  for (const paragraph of spec.description ?? []) lines.push("", ...wrap(paragraph, style.width))
  const args = allArgs(spec)
  if (args.length > 0) {
    lines.push("", heading("Arguments:", style))
    lines.push(...twoColumns(args.map((a) => [`<${a.name}>`, [a.description, a.choices.length > 0 ? `one of ${a.choices.join(", ")}` : ""].filter((t) => t !== "").join(": ")]), style))
  }
  const shown = groups(spec)
  // One left column for every group, so the descriptions line up down the page.
  const column = columnFor([...shown.flatMap((g) => g.flags), helpFlag].map(flagLeft), 31) - 2
  shown.forEach((group, i) => {
    const flags = i === shown.length - 1 ? [...group.flags, helpFlag] : group.flags
    lines.push("", heading(`${group.title}${group.note === undefined ? "" : ` ${group.note}`}:`, style))
    lines.push(...twoColumns(flags.map((f) => [flagLeft(f), f.description]), style, 2, column))
  })
  lines.push("", heading("Examples:", style), ...examples(spec.examples))
  return `${lines.join("\n")}\n`
}

/** What `rosterkit --help` says. */
export interface Root {
  readonly version: string
  readonly summary: string
  readonly description: ReadonlyArray<string>
  readonly commands: ReadonlyArray<Spec>
  readonly examples: ReadonlyArray<readonly [string, string]>
}

/** `rosterkit --help`: the commands, one line each. */
export const renderRoot = (root: Root, style: Style): string => {
  const lines: Array<string> = [
    ...wrap(`rosterkit ${root.version} — ${root.summary}`, style.width),
    "",
    `${heading("Usage:", style)} rosterkit <command> [options]`,
    "",
    heading("Commands:", style),
    ...twoColumns(root.commands.map((c) => [c.name, c.summary]), style)
  ]
  for (const paragraph of root.description) lines.push("", ...wrap(paragraph, style.width))
  lines.push("", heading("Examples:", style), ...examples(root.examples))
  lines.push(
    "",
    heading("Options:", style),
    ...twoColumns(
      [
        ["-h, --help", "This help; rosterkit <command> --help for a command's flags"],
        ["--version", "The version"]
      ],
      style
    )
  )
  return `${lines.join("\n")}\n`
}
