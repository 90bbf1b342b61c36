-- Working days (issue 16): every organization starts with Sunday off and Uzbekistan's public
-- holidays on fixed dates (the list is WorkingCalendar.uzbekistanFixedHolidays in Swift, which
-- a test compares with what this writes). Ramazon and Qurbon hayit move with the lunar
-- calendar: an admin adds them each year.
CREATE OR REPLACE FUNCTION start_calendar() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calendars (organization_id) VALUES (NEW.id);
    INSERT INTO holidays (organization_id, month, day, name)
    SELECT NEW.id, h.month, h.day, h.name
    FROM (VALUES (1, 1, 'New Year'), (3, 8, 'International Women''s Day'), (3, 21, 'Navruz'),
                 (5, 9, 'Day of Remembrance and Honour'), (9, 1, 'Independence Day'), (10, 1, 'Teachers'' Day'),
                 (12, 8, 'Constitution Day'), (12, 31, 'New Year''s Eve')) AS h (month, day, name);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER start_calendar AFTER INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION start_calendar();

-- A holiday is named once: a dated one on a day that is a holiday every year, or a yearly one
-- on a month and day that already has a dated one, is the same day twice. (Two of one kind
-- meet the unique index holidays_once.)
CREATE OR REPLACE FUNCTION holiday_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM holidays h
               WHERE h.organization_id = NEW.organization_id AND h.month = NEW.month AND h.day = NEW.day
                 AND h.id <> NEW.id AND (h.year IS NULL OR NEW.year IS NULL)) THEN
        RAISE EXCEPTION '% is already a holiday', to_char(make_date(coalesce(NEW.year, 2000), NEW.month, NEW.day), 'DD.MM')
            USING ERRCODE = '23505', CONSTRAINT = 'holidays_once';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER holiday_once BEFORE INSERT OR UPDATE ON holidays
    FOR EACH ROW EXECUTE FUNCTION holiday_once();

CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON calendars
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH ROW EXECUTE FUNCTION audit_change();
