import Postgres
import RavnaqCore
import Testing
import TestSupport

/// sql/definitions holds the only live body of every function, trigger, view and policy (README,
/// "SQL layout"): these compare the migrated database with the files.
@Suite("SQL definitions")
struct DefinitionsTests {
    /// What the files of one kind define, by key (a function's name; a trigger's or a policy's name
    /// and table), with the files that define each, once per definition.
    struct Defined {
        var functions: [String: [String]] = [:]
        var triggers: [String: [String]] = [:]
        var policies: [String: [String]] = [:]
        var views: [String: [String]] = [:]

        init(_ files: [Migrator.Migration]) throws {
            let function = try Regex(#"CREATE\s+OR\s+REPLACE\s+FUNCTION\s+(\w+)\s*\("#)
            let trigger = try Regex(#"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(\w+)\s+(?:BEFORE|AFTER|INSTEAD\s+OF)[^;]*?\sON\s+(\w+)"#)
            let policy = try Regex(#"CREATE\s+POLICY\s+(\w+)\s+ON\s+(\w+)"#)
            let view = try Regex(#"CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+(\w+)"#)
            for file in files {
                let text = file.sql
                for match in text.matches(of: function) { functions[Self.text(match, 1), default: []].append(file.name) }
                for match in text.matches(of: trigger) {
                    triggers["\(Self.text(match, 1)) ON \(Self.text(match, 2))", default: []].append(file.name)
                }
                for match in text.matches(of: policy) {
                    policies["\(Self.text(match, 1)) ON \(Self.text(match, 2))", default: []].append(file.name)
                }
                for match in text.matches(of: view) { views[Self.text(match, 1), default: []].append(file.name) }
            }
        }

        static func text(_ match: Regex<AnyRegexOutput>.Match, _ group: Int) -> String {
            String(match.output[group].substring ?? "")
        }
    }

    /// The database's own: functions of schema public that no extension owns (name, signature,
    /// source text — empty for a `RETURN …` body), triggers that are no foreign key's, policies, views.
    struct Live {
        var functions: [(name: String, signature: String, source: String)] = []
        var triggers: [String] = []
        var policies: [String] = []
        var views: [String] = []

        init(_ connection: PostgresConnection) throws {
            for row in try connection.query("""
                SELECT p.proname::text, p.oid::regprocedure::text, p.prosrc
                FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY 2
                """).rows {
                functions.append((try row.decode(0, as: String.self), try row.decode(1, as: String.self), try row.decode(2, as: String.self)))
            }
            for row in try connection.query("""
                SELECT t.tgname || ' ON ' || c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1
                """).rows {
                triggers.append(try row.decode(0, as: String.self))
            }
            for row in try connection.query(
                "SELECT policyname || ' ON ' || tablename FROM pg_policies WHERE schemaname = 'public' ORDER BY 1"
            ).rows {
                policies.append(try row.decode(0, as: String.self))
            }
            for row in try connection.query("""
                SELECT viewname::text FROM pg_views WHERE schemaname = 'public'
                UNION ALL SELECT matviewname::text FROM pg_matviews WHERE schemaname = 'public' ORDER BY 1
                """).rows {
                views.append(try row.decode(0, as: String.self))
            }
        }
    }

    @Test("every function, trigger, view and policy of the migrated database is defined in exactly one definition file, in no numbered migration, with the body that file gives it")
    func oneHome() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let migrator = Migrator()
        let live = try Live(connection)
        let defined = try Defined(migrator.definitions)
        #expect(live.functions.count > 50)
        #expect(live.policies.count > 50)
        #expect(live.triggers.count > 80)

        // Functions, by name: as many definitions as the database has overloads, all in one file.
        let overloads = Dictionary(grouping: live.functions, by: { $0.name })
        for (name, functions) in overloads {
            let files = defined.functions[name] ?? []
            #expect(Set(files).count == 1, "\(name) is defined in \(Set(files).sorted())")
            #expect(files.count == functions.count, "\(name): \(functions.count) in the database, \(files.count) definitions")
            // The body as written: a PL/pgSQL or quoted SQL body appears verbatim in its file.
            for function in functions where !function.source.isEmpty {
                let file = try #require(migrator.definitions.first { $0.name == files.first })
                #expect(file.sql.contains(function.source), "the body of \(function.signature) is not the one in \(file.name)")
            }
        }
        #expect(Set(defined.functions.keys) == Set(overloads.keys))

        for (kind, names, files) in [("trigger", live.triggers, defined.triggers), ("policy", live.policies, defined.policies),
                                     ("view", live.views, defined.views)] {
            for name in names {
                #expect(files[name]?.count == 1, "\(kind) \(name) is defined in \(files[name] ?? [])")
            }
            #expect(Set(files.keys) == Set(names), "\(kind)s defined but not in the database: \(Set(files.keys).subtracting(names))")
        }

        // The numbered migrations make none of these.
        let anyDefinition = try Regex(#"(?i)CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(?:MATERIALIZED\s+)?(?:FUNCTION|PROCEDURE|TRIGGER|VIEW|POLICY)\b"#)
        for migration in migrator.migrations {
            #expect(migration.sql.firstMatch(of: anyDefinition) == nil, "\(migration.name) defines a function, trigger, view or policy")
        }
    }

    @Test("applying the definition files again changes no function (a `RETURN …` body included), trigger or policy: the live ones are the files'")
    func liveIsWritten() async throws {
        let database = try await TestDatabase.make()
        let connection = try database.connect()
        let snapshot = """
            SELECT 'function ' || p.oid::regprocedure::text || E'\n' || pg_get_functiondef(p.oid) || coalesce(array_to_string(p.proacl, ','), '')
            FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'policy ' || concat_ws(' ', policyname, tablename, permissive, cmd, roles::text, qual, with_check)
            FROM pg_policies WHERE schemaname = 'public'
            ORDER BY 1
            """
        let before: [String] = try connection.query(snapshot).rows.map { try $0.decode(0) }
        try connection.transaction { connection in
            for definition in Migrator().definitions { try connection.execute(definition.sql) }
            let after: [String] = try connection.query(snapshot).rows.map { try $0.decode(0) }
            #expect(after == before)
        }
    }
}
