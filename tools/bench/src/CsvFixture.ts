/**
 * A OneRoster 1.1 CSV bulk set of N users for the CSV benchmark, written straight to disk (no
 * roster in memory): manifest.csv, orgs.csv (a district and ten schools) and users.csv, with
 * RFC 4180 quoting (a cell holding a comma, a quote or a line break is quoted, quotes doubled)
 * and the awkward cells real exports have: names with commas, quotes, apostrophes and non-ASCII
 * letters, two-school users ("school-1,school-2"), teachers, "tobedeleted" rows.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as CsvSchema from "@rosterkit/csv/CsvSchema"

/** The 1.1 users.csv columns, in the standard's order (the CSV provider's own list). */
export const userColumns: ReadonlyArray<string> = CsvSchema.columns.users

const given = ["James", "Olivia", "José", "Zoë", "Łukasz", "Mary Ann", "Jean-Luc", "Siobhán", "Wei", "娜", "Ngozi", "Søren"]
const family = ["Smith", "García", "O'Brien", "Smith, Jr.", '"Doc" Brown', "李", "van der Berg", "Nguyễn", "Müller", "Okafor"]
const grades = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]

/** One CSV cell, quoted when it needs to be. */
export const quote = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)

const line = (cells: ReadonlyArray<string>) => `${cells.map(quote).join(",")}\r\n`

const fold = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase() || "user"

/** The cells of user `i` (0-based). */
export const userRow = (i: number): ReadonlyArray<string> => {
  const teacher = i % 25 === 24
  const g = given[i % given.length]!
  const f = family[Math.floor(i / given.length) % family.length]!
  const login = `${fold(g)}.${fold(f)}${i}`
  const school = `school-${(i % 10) + 1}`
  return [
    `user-${i + 1}`,
    i % 50 === 49 ? "tobedeleted" : "active",
    `2024-09-${String((i % 28) + 1).padStart(2, "0")}T12:00:00.000Z`,
    "true",
    i % 20 === 0 ? `${school},school-${((i + 1) % 10) + 1}` : school,
    teacher ? "teacher" : "student",
    login,
    `{SIS:${teacher ? "T" : "S"}${100000 + i}}`,
    g,
    f,
    i % 3 === 0 ? "Lee" : "",
    `${teacher ? "T" : "S"}${100000 + i}`,
    `${login}@district.example`,
    "",
    "",
    "",
    teacher ? "" : grades[i % grades.length]!,
    ""
  ]
}

/** What `write` produced. */
export interface Written {
  readonly dir: string
  readonly users: number
  readonly bytes: number
}

/** Writes the set of `users` users into `dir` (created). */
export const write = (dir: string, users: number): Written => {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, "manifest.csv"),
    [
      ["propertyName", "value"],
      ["manifest.version", "1.0"],
      ["oneroster.version", "1.1"],
      ["file.academicSessions", "absent"],
      ["file.categories", "absent"],
      ["file.classes", "absent"],
      ["file.classResources", "absent"],
      ["file.courses", "absent"],
      ["file.courseResources", "absent"],
      ["file.demographics", "absent"],
      ["file.enrollments", "absent"],
      ["file.lineItems", "absent"],
      ["file.orgs", "bulk"],
      ["file.resources", "absent"],
      ["file.results", "absent"],
      ["file.users", "bulk"],
      ["source.systemName", "rosterkit bench"],
      ["source.systemCode", "bench"]
    ]
      .map(line)
      .join("")
  )
  const orgs = [
    line(["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]),
    line(["district-1", "active", "2024-07-01T12:00:00.000Z", "Riverside Unified School District", "district", "0600001", ""]),
    ...Array.from({ length: 10 }, (_, s) =>
      line([`school-${s + 1}`, "active", "2024-07-01T12:00:00.000Z", `School ${s + 1}, "Campus ${s + 1}"`, "school", `${1000 + s}`, "district-1"])
    )
  ]
  fs.writeFileSync(path.join(dir, "orgs.csv"), orgs.join(""))
  const file = path.join(dir, "users.csv")
  const fd = fs.openSync(file, "w")
  try {
    fs.writeSync(fd, line(userColumns))
    const batch = 10_000
    for (let start = 0; start < users; start += batch) {
      let chunk = ""
      const end = Math.min(users, start + batch)
      for (let i = start; i < end; i++) chunk += line(userRow(i))
      fs.writeSync(fd, chunk)
    }
  } finally {
    fs.closeSync(fd)
  }
  return { dir, users, bytes: fs.statSync(file).size }
}
