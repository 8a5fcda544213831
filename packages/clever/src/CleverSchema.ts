/**
 * The Clever Data API v3.0 records as `effect/Schema` schemas, written from the v3.0 Swagger
 * definitions (specs/clever/v3.0.yml).
 *
 * Decoding is lenient so that nothing Clever sends is lost: every field is optional (the spec
 * marks none required) except a record's `id`, which rosterkit needs as the OneRoster
 * `sourcedId`; fields the spec marks `x-nullable` accept `null`; enum fields are plain strings
 * (Clever adds values over time); and every object keeps its unknown fields as they are, so
 * decode-then-encode gives back the JSON Clever sent.
 */
import * as Schema from "effect/Schema"

const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })
const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(Schema.NullOr(schema), { exact: true })

/** Any field Clever sends that the spec does not list is kept, untouched. */
const Rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** Clever's `ext` objects (district-specific extension fields). */
const Ext = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const Strings = Schema.Array(Schema.String)

/** A record id: a non-empty string (it becomes the OneRoster `sourcedId`). */
export const Id = Schema.String.pipe(Schema.minLength(1, { message: () => "id must be a non-empty string" }))

export const Name = Schema.Struct(
  { first: nullable(Schema.String), last: nullable(Schema.String), middle: nullable(Schema.String) },
  Rest
)
export type Name = typeof Name.Type

export const Location = Schema.Struct(
  {
    address: nullable(Schema.String),
    city: nullable(Schema.String),
    lat: nullable(Schema.String),
    lon: nullable(Schema.String),
    state: nullable(Schema.String),
    zip: nullable(Schema.String)
  },
  Rest
)
export type Location = typeof Location.Type

export const Credentials = Schema.Struct({ district_username: opt(Schema.String) }, Rest)
export type Credentials = typeof Credentials.Type

export const Principal = Schema.Struct({ email: nullable(Schema.String), name: nullable(Schema.String) }, Rest)
export type Principal = typeof Principal.Type

export const SchoolEnrollment = Schema.Struct(
  { end_date: opt(Schema.String), school: opt(Schema.String), start_date: opt(Schema.String) },
  Rest
)
export type SchoolEnrollment = typeof SchoolEnrollment.Type

export const StudentRelationship = Schema.Struct(
  { relationship: nullable(Schema.String), student: opt(Schema.String), type: nullable(Schema.String) },
  Rest
)
export type StudentRelationship = typeof StudentRelationship.Type

/** `roles.student` of a user. */
export const Student = Schema.Struct(
  {
    created: opt(Schema.String),
    credentials: opt(Credentials),
    dob: nullable(Schema.String),
    ell_status: nullable(Schema.String),
    enrollments: opt(Schema.Array(SchoolEnrollment)),
    ext: opt(Ext),
    gender: nullable(Schema.String),
    grade: nullable(Schema.String),
    graduation_year: nullable(Schema.String),
    hispanic_ethnicity: nullable(Schema.String),
    last_modified: opt(Schema.String),
    legacy_id: opt(Schema.String),
    location: nullable(Location),
    race: nullable(Schema.String),
    school: opt(Schema.String),
    schools: opt(Strings),
    sis_id: opt(Schema.String),
    state_id: nullable(Schema.String),
    student_number: nullable(Schema.String)
  },
  Rest
)
export type Student = typeof Student.Type

/** `roles.teacher` of a user. */
export const Teacher = Schema.Struct(
  {
    created: opt(Schema.String),
    credentials: nullable(Credentials),
    district: opt(Schema.String),
    ext: opt(Ext),
    last_modified: opt(Schema.String),
    legacy_id: opt(Schema.String),
    name: opt(Name),
    school: opt(Schema.String),
    schools: opt(Strings),
    sis_id: opt(Schema.String),
    state_id: nullable(Schema.String),
    teacher_number: nullable(Schema.String),
    title: nullable(Schema.String)
  },
  Rest
)
export type Teacher = typeof Teacher.Type

/** `roles.staff` of a user. */
export const Staff = Schema.Struct(
  {
    credentials: opt(Credentials),
    department: nullable(Schema.String),
    ext: opt(Ext),
    legacy_id: opt(Schema.String),
    roles: opt(Strings),
    schools: opt(Strings),
    staff_id: opt(Schema.String),
    title: nullable(Schema.String)
  },
  Rest
)
export type Staff = typeof Staff.Type

/** `roles.district_admin` of a user. */
export const DistrictAdmin = Schema.Struct({ legacy_id: opt(Schema.String), title: nullable(Schema.String) }, Rest)
export type DistrictAdmin = typeof DistrictAdmin.Type

/** `roles.contact` of a user (a parent or guardian). */
export const Contact = Schema.Struct(
  {
    legacy_id: opt(Schema.String),
    phone: nullable(Schema.String),
    phone_type: nullable(Schema.String),
    sis_id: nullable(Schema.String),
    student_relationships: opt(Schema.Array(StudentRelationship))
  },
  Rest
)
export type Contact = typeof Contact.Type

export const Roles = Schema.Struct(
  {
    contact: nullable(Contact),
    district_admin: nullable(DistrictAdmin),
    staff: nullable(Staff),
    student: nullable(Student),
    teacher: nullable(Teacher)
  },
  Rest
)
export type Roles = typeof Roles.Type

/** A Clever user: one person with one or more roles. */
export const User = Schema.Struct(
  {
    id: Id,
    created: opt(Schema.String),
    district: opt(Schema.String),
    email: nullable(Schema.String),
    last_modified: opt(Schema.String),
    name: opt(Name),
    roles: opt(Roles)
  },
  Rest
)
export type User = typeof User.Type

/** A Clever section: a OneRoster class. */
export const Section = Schema.Struct(
  {
    id: Id,
    course: nullable(Schema.String),
    created: opt(Schema.String),
    district: opt(Schema.String),
    ext: opt(Ext),
    grade: nullable(Schema.String),
    last_modified: opt(Schema.String),
    name: opt(Schema.String),
    period: nullable(Schema.String),
    school: opt(Schema.String),
    section_number: nullable(Schema.String),
    sis_id: opt(Schema.String),
    students: opt(Strings),
    subject: nullable(Schema.String),
    teacher: nullable(Schema.String),
    teachers: opt(Strings),
    term_id: nullable(Schema.String)
  },
  Rest
)
export type Section = typeof Section.Type

export const School = Schema.Struct(
  {
    id: Id,
    created: opt(Schema.String),
    district: opt(Schema.String),
    ext: opt(Ext),
    high_grade: nullable(Schema.String),
    last_modified: opt(Schema.String),
    location: nullable(Location),
    low_grade: nullable(Schema.String),
    mdr_number: nullable(Schema.String),
    name: opt(Schema.String),
    nces_id: nullable(Schema.String),
    phone: nullable(Schema.String),
    principal: opt(Principal),
    school_number: opt(Schema.String),
    sis_id: opt(Schema.String),
    state_id: nullable(Schema.String)
  },
  Rest
)
export type School = typeof School.Type

export const Course = Schema.Struct(
  {
    id: Id,
    district: opt(Schema.String),
    name: nullable(Schema.String),
    number: nullable(Schema.String)
  },
  Rest
)
export type Course = typeof Course.Type

export const Term = Schema.Struct(
  {
    id: Id,
    district: opt(Schema.String),
    end_date: nullable(Schema.String),
    name: nullable(Schema.String),
    start_date: nullable(Schema.String)
  },
  Rest
)
export type Term = typeof Term.Type

export const DistrictContact = Schema.Struct(
  {
    district: opt(Schema.String),
    email: nullable(Schema.String),
    id: opt(Schema.String),
    name: opt(Name),
    title: opt(Schema.String)
  },
  Rest
)
export type DistrictContact = typeof DistrictContact.Type

export const District = Schema.Struct(
  {
    id: Id,
    district_contact: opt(DistrictContact),
    error: opt(Schema.String),
    last_sync: nullable(Schema.String),
    launch_date: opt(Schema.String),
    login_methods: opt(Strings),
    mdr_number: nullable(Schema.String),
    name: opt(Schema.String),
    nces_id: nullable(Schema.String),
    pause_end: nullable(Schema.String),
    pause_start: nullable(Schema.String),
    portal_url: opt(Schema.String),
    sis_type: opt(Schema.String),
    state: nullable(Schema.String)
  },
  Rest
)
export type District = typeof District.Type

/** A paging link: `{ rel: "next", uri: "/v3.0/users?limit=…&starting_after=…" }`. */
export const Link = Schema.Struct({ rel: opt(Schema.String), uri: opt(Schema.String) }, Rest)
export type Link = typeof Link.Type

/**
 * A list response: `{ data: [{ data: {…}, uri }], links: [{ rel, uri }] }`. The records are
 * left undecoded here so that a bad record is reported by position and field.
 */
export const ListResponse = Schema.Struct(
  {
    data: Schema.Array(Schema.Struct({ data: Schema.Unknown, uri: opt(Schema.String) }, Rest)),
    links: opt(Schema.Array(Link))
  },
  Rest
)
export type ListResponse = typeof ListResponse.Type

/** A single-record response: `{ data: {…}, links?: […] }`. */
export const SingleResponse = Schema.Struct({ data: Schema.Unknown, links: opt(Schema.Array(Link)) }, Rest)
export type SingleResponse = typeof SingleResponse.Type

/** Clever's error body: `{ "message": "…" }`. */
export const ErrorBody = Schema.Struct({ message: Schema.String }, Rest)

/** The record schema of each Clever collection the client reads. */
export const schemaOf = {
  users: User,
  sections: Section,
  schools: School,
  courses: Course,
  terms: Term,
  districts: District
} as const

export type Collection = keyof typeof schemaOf
export type RecordOf<C extends Collection> = Schema.Schema.Type<(typeof schemaOf)[C]>
