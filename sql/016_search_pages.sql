-- The family search returns one page (issue 18, item 3; sql/definitions/40_families.sql): it
-- takes the list's cursor and page size, which CREATE OR REPLACE cannot add. IF EXISTS: a new
-- database runs its migrations before any definition.
DROP FUNCTION IF EXISTS ravnaq_family_search(text);
