-- Alerts in under a second at 100 000 families (issue 17; sql/definitions/85_alerts.sql).
--
-- The overdue visit was found by an index probe into `visits` for every family (a quarter of the
-- time); each family's kept history (family_histories, sql/definitions/75_family_histories.sql)
-- now carries its visits too, so one scan of the histories gives that signal with the others:
--   visited_on     the family's visit days, in the order the visits were made (day, then when
--                  recorded, then id: the last of a day is the latest);
--   next_visit_on  the next visit each of them planned, beside visited_on.
-- Both are filled here from the table, as family_history_rows() computes them from now on.
ALTER TABLE family_histories
    ADD COLUMN visited_on date[] NOT NULL DEFAULT '{}',
    ADD COLUMN next_visit_on date[] NOT NULL DEFAULT '{}';

UPDATE family_histories h SET (visited_on, next_visit_on) = (
    SELECT coalesce(array_agg(v.visited_on ORDER BY v.visited_on, v.created_at, v.id), '{}'),
           coalesce(array_agg(v.next_visit_on ORDER BY v.visited_on, v.created_at, v.id), '{}')
    FROM visits v WHERE v.family_id = h.family_id);

-- Like the other arrays, always written whole by family_history_rows().
ALTER TABLE family_histories
    ALTER COLUMN visited_on DROP DEFAULT,
    ALTER COLUMN next_visit_on DROP DEFAULT,
    ADD CONSTRAINT family_histories_visits_aligned CHECK (cardinality(next_visit_on) = cardinality(visited_on));

-- A member's stop of work was told from the row before it, and the partial index over rows with
-- `NOT works` also held every member added while not working (most children): at 100 000
-- families, 366 000 rows to look behind instead of 15 000 stops. `worked_before` is `works` of
-- the member's row before (null on the first, the member as added), so a stop is one row, and
-- the index holds the stops only.
ALTER TABLE member_work_changes ADD COLUMN worked_before boolean
    CONSTRAINT member_work_changes_a_change CHECK (worked_before <> works);
UPDATE member_work_changes c SET worked_before = p.works
FROM (SELECT id, lag(works) OVER (PARTITION BY member_id ORDER BY changed_on, id) AS works FROM member_work_changes) p
WHERE p.id = c.id AND p.works <> c.works;
DROP INDEX member_work_changes_recent;
CREATE INDEX member_work_changes_stops ON member_work_changes (organization_id, changed_on) WHERE NOT works AND worked_before;

-- The signals' figures become json instead of jsonb (json is built as text, cheaper when it is
-- only sent on), which CREATE OR REPLACE cannot change: the definitions make family_signals()
-- again. family_alerts() is replaced by family_alert_signals(): the list orders the families by
-- their scores and words the reasons of a page only. IF EXISTS: a new database runs its
-- migrations before any definition.
DROP FUNCTION IF EXISTS family_alerts(uuid, date, uuid);
DROP FUNCTION IF EXISTS family_signals(uuid, date, uuid);
