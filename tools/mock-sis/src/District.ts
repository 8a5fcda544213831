/**
 * Generated districts of a given number of users, for the benchmarks (testkit's
 * `Dataset.generate` with sizes derived from one number).
 *
 * - `flat(n)`: ten schools, a handful of teachers and classes: the size is in the users (the
 *   streaming and paging benchmarks pull `users`; enrollments stay small).
 * - `realistic(n)`: ten schools, ~26 students per teacher, 5 classes per teacher, 25 students
 *   per class: the shape the group queries of the request-count benchmark run against.
 *
 * Both give exactly `n` users when `n` is a multiple of 10 (otherwise the nearest count below).
 */
import * as Dataset from "@rosterkit/demo/Dataset"

/** The number of schools of every benchmark district. */
export const schools = 10

const perSchool = (users: number): number => {
  if (!Number.isInteger(users) || users < 100) throw new RangeError(`a benchmark district needs at least 100 users, got ${users}`)
  return Math.floor(users / schools)
}

/** The generate options of `flat(users)`. */
export const flatOptions = (users: number): Dataset.GenerateOptions => {
  const per = perSchool(users)
  const teachersPerSchool = Math.max(1, Math.min(10, Math.floor(per / 20)))
  return {
    seed: 2025,
    schools,
    studentsPerSchool: per - teachersPerSchool,
    teachersPerSchool,
    classesPerTeacher: 1,
    studentsPerClass: 12
  }
}

/** A district of `users` users with few classes and enrollments. */
export const flat = (users: number): Dataset.Dataset => Dataset.generate(flatOptions(users))

/** The generate options of `realistic(users)`. */
export const realisticOptions = (users: number): Dataset.GenerateOptions => {
  const per = perSchool(users)
  const teachersPerSchool = Math.max(2, Math.round(per / 27))
  return {
    seed: 2025,
    schools,
    studentsPerSchool: per - teachersPerSchool,
    teachersPerSchool,
    classesPerTeacher: 5,
    studentsPerClass: 25
  }
}

/** A district of `users` users shaped like a real one (classes of 25, 5 per teacher). */
export const realistic = (users: number): Dataset.Dataset => Dataset.generate(realisticOptions(users))
