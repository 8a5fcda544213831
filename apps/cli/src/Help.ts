/**
 * Help text helpers: a command description followed by an EXAMPLES section.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"

/** A description paragraph (or several) and examples, each `[command line, what it does]`. */
export const withExamples = (
  description: string | ReadonlyArray<string>,
  examples: ReadonlyArray<readonly [string, string]>
): HelpDoc.HelpDoc => {
  const paragraphs = (typeof description === "string" ? [description] : description).map((p) => HelpDoc.p(p))
  const lines = examples.flatMap(([line, what]) => [HelpDoc.p(`  # ${what}`), HelpDoc.p(`  $ ${line}`)])
  return [...paragraphs, HelpDoc.h1("EXAMPLES"), ...lines].reduce((all, next) => HelpDoc.sequence(all, next))
}
