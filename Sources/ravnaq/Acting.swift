import ArgumentParser
import Foundation
import RavnaqCore

/// Options of every command that acts inside an organization (SPEC §9): which organization, and
/// as whom — a user's email (`--as` or `$RAVNAQ_AS`, with that user's rights), else the operator
/// with admin rights, recorded in the audit log as `cli:<system user>`.
struct ActingOptions: ParsableArguments {
    @Option(help: "The organization's code (not needed when there is only one).") var org: String?
    @Option(name: .customLong("as"), help: "Act as this user (email), with their rights. Default: $RAVNAQ_AS, else the operator.")
    var asUser: String?
    @OptionGroup var database: DatabaseOptions
}

extension CLI {
    static func withActor<T>(_ options: ActingOptions, _ body: (Database, Actor) async throws -> T) async throws -> T {
        try await withDatabase(options.database) { database in
            let email = options.asUser ?? ProcessInfo.processInfo.environment["RAVNAQ_AS"].flatMap { $0.isEmpty ? nil : $0 }
            let actor: Actor
            if let email {
                let user = try await Users(database: database).find(email: email)
                if let org = options.org {
                    let organization = try await Organizations(database: database).resolve(code: org)
                    guard organization.id == user.organizationID else {
                        throw RavnaqError.setup("\(email) does not belong to organization \(org)")
                    }
                }
                actor = Actor(userID: user.id, organizationID: user.organizationID, role: user.role, name: user.email)
            } else {
                let organization = try await Organizations(database: database).resolve(code: options.org)
                actor = Actor(userID: nil, organizationID: organization.id, role: .admin, name: operatorName)
            }
            return try await body(database, actor)
        }
    }
}

extension StoredAnswer {
    /// A stored answer is JSON already.
    var json: Data { body }
}

extension JSONText {
    var json: Data { Data(text.utf8) }
}

extension Paged {
    /// `{"items":[…],"next_cursor":…}` as the CLI prints it.
    func data() throws -> Data { Data(try json().utf8) }
}
