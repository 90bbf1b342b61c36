-- Training (SPEC §6): the rules PostgreSQL holds enrollments and attendance to. The tables are
-- the baseline's; attendance's audit row is written by audit_attendance() (20_audit.sql).

-- A certificate, once issued, stays as it was: no un-completing, no renumbering.
CREATE OR REPLACE FUNCTION enrollment_certificate_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.completed AND (NEW.completed, NEW.completed_on, NEW.certificate_no)
                         IS DISTINCT FROM (OLD.completed, OLD.completed_on, OLD.certificate_no) THEN
        RAISE EXCEPTION 'certificate % was issued on % and cannot change', OLD.certificate_no, OLD.completed_on
            USING ERRCODE = 'P0001', CONSTRAINT = 'certificate-final';
    END IF;
    IF (NEW.course_id, NEW.member_id, NEW.organization_id) IS DISTINCT FROM (OLD.course_id, OLD.member_id, OLD.organization_id) THEN
        RAISE EXCEPTION 'an enrollment cannot move to another course or member' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER certificate_final BEFORE UPDATE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION enrollment_certificate_final();

-- A member attends the sessions of the course they are enrolled in, not of another.
CREATE OR REPLACE FUNCTION attendance_same_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM course_sessions s JOIN enrollments e ON e.course_id = s.course_id
        WHERE s.id = NEW.session_id AND e.id = NEW.enrollment_id) THEN
        RAISE EXCEPTION 'the enrollment is not in the course of the session'
            USING ERRCODE = 'P0001', CONSTRAINT = 'attendance_same_course';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER same_course BEFORE INSERT OR UPDATE ON attendance
    FOR EACH ROW EXECUTE FUNCTION attendance_same_course();
