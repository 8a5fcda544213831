/** The benchmark districts live with the mock SIS, which serves them: see @rosterkit/mock-sis/District. */
export * from "@rosterkit/mock-sis/District"
