-- Grant officers do not read a member's sex member by member (issue 13: "sex stays visible only
-- in aggregates (reports), not per member"). sql/013 granted ravnaq_officer the column; a query
-- naming it now fails, and the services answer null for it. No report reads the column (they
-- join members by id and family only), so the reports are unchanged.
REVOKE SELECT (sex) ON members FROM ravnaq_officer;
