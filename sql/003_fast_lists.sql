-- Lists a person waits for at 100 000 families (issue 14: every page under 200 ms).
-- Family search by any part of a name or a code uses trigram indexes on the folded texts, and
-- today's overdue list an index on each loan's history; both are made by the definitions
-- (sql/definitions/40_families.sql, 55_loans.sql), after the functions they index, which a
-- numbered migration runs too early to know.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
