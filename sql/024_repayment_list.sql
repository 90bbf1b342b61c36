-- The lists of issue 20 (repayments, and the family list naming its head). The family list
-- pages by (created_at, id) within an organization, but no index had that order: every page was
-- a sequential scan of the organization's families and a top-N sort (the first page of 20 000
-- families took 13 ms with the head, 90 ms before). With this index a page is an index scan that
-- stops after limit + 1 rows (0.5 ms), and the head is one probe of members_family per row of the
-- page. A loan's repayments page by (paid_on, id) over repayments_loan (loan_id, paid_on): a
-- loan has a few dozen at most, so that index is enough.

CREATE INDEX families_listed ON families (organization_id, created_at, id);
