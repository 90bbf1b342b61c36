-- Training (SPEC §6): courses with their sessions, enrollments of family members, attendance
-- per session. A member completes a course with at least 80 % of its sessions attended, and a
-- completion carries a certificate number unique in the organization. Composite foreign keys
-- keep every reference inside one organization, as in 002.

CREATE TABLE courses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$'),
    title            text NOT NULL CHECK (length(btrim(title)) > 0),
    skill            text NOT NULL CHECK (skill IN ('sewing', 'crafts', 'baking', 'livestock', 'bookkeeping',
                                                    'marketing', 'digital', 'legal_literacy', 'other')),
    hours            numeric(6, 2) NOT NULL CONSTRAINT courses_hours_positive CHECK (hours > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX courses_code_key ON courses (organization_id, lower(code));

CREATE TABLE course_sessions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    course_id        uuid NOT NULL,
    held_on          date NOT NULL,
    hours            numeric(4, 2) NOT NULL CONSTRAINT course_sessions_hours_in_a_day CHECK (hours > 0 AND hours <= 24),
    trainer          text NOT NULL CHECK (length(btrim(trainer)) > 0),
    venue            text NOT NULL CHECK (length(btrim(venue)) > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id),
    UNIQUE (organization_id, id)
);
CREATE INDEX course_sessions_course ON course_sessions (course_id, held_on);

CREATE TABLE enrollments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    course_id        uuid NOT NULL,
    member_id        uuid NOT NULL,
    completed        boolean NOT NULL DEFAULT false,
    completed_on     date,
    certificate_no   text CHECK (length(btrim(certificate_no)) > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
    UNIQUE (organization_id, id),
    CONSTRAINT enrollments_one_per_member UNIQUE (course_id, member_id),
    -- A completion is dated and carries its certificate; nothing else has either.
    CONSTRAINT enrollments_completed_with_certificate CHECK (
        completed = (certificate_no IS NOT NULL) AND completed = (completed_on IS NOT NULL)),
    CONSTRAINT enrollments_certificate_no_key UNIQUE (organization_id, certificate_no)
);
CREATE INDEX enrollments_member ON enrollments (member_id);

-- A certificate, once issued, stays as it was: no un-completing, no renumbering.
CREATE FUNCTION enrollment_certificate_final() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER certificate_final BEFORE UPDATE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION enrollment_certificate_final();

-- One row per enrollment present at a session.
CREATE TABLE attendance (
    organization_id  uuid NOT NULL,
    session_id       uuid NOT NULL,
    enrollment_id    uuid NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, enrollment_id),
    FOREIGN KEY (organization_id, session_id) REFERENCES course_sessions (organization_id, id),
    FOREIGN KEY (organization_id, enrollment_id) REFERENCES enrollments (organization_id, id)
);
CREATE INDEX attendance_enrollment ON attendance (enrollment_id);

-- A member attends the sessions of the course they are enrolled in, not of another.
CREATE FUNCTION attendance_same_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM course_sessions s JOIN enrollments e ON e.course_id = s.course_id
        WHERE s.id = NEW.session_id AND e.id = NEW.enrollment_id) THEN
        RAISE EXCEPTION 'the enrollment is not in the course of the session'
            USING ERRCODE = 'P0001', CONSTRAINT = 'attendance_same_course';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER same_course BEFORE INSERT OR UPDATE ON attendance
    FOR EACH ROW EXECUTE FUNCTION attendance_same_course();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON courses FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON course_sessions FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON enrollments FOR EACH ROW EXECUTE FUNCTION audit_change();
-- attendance has a composite key; its changes are audited as session/enrollment.
CREATE FUNCTION audit_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ravnaq.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (coalesce(NEW.organization_id, OLD.organization_id),
            coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
            lower(TG_OP), 'attendance',
            coalesce(NEW.session_id, OLD.session_id)::text || '/' || coalesce(NEW.enrollment_id, OLD.enrollment_id)::text,
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
    RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON attendance FOR EACH ROW EXECUTE FUNCTION audit_attendance();
