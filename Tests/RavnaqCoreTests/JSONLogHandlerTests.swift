import Foundation
import Logging
import RavnaqCore
import Synchronization
import Testing

@Suite("LOG_FORMAT=json: one JSON object per log line")
struct JSONLogHandlerTests {
    @Test("a message with a quote and a newline is one line of JSON with its level, label, time and metadata")
    func oneObjectPerLine() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "ravnaq") { JSONLogHandler(label: $0, write: { text in lines.withLock { $0.append(text) } }) }
        logger.logLevel = .info
        logger[metadataKey: "hb.request.id"] = "req-7"
        logger.debug("not written below the level")
        logger.info("repayment of \"L-000002\"\nbooked", metadata: ["amount": "1000.00", "ids": .array(["a", "b"])])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info" && object["label"] as? String == "ravnaq")
        #expect(object["message"] as? String == "repayment of \"L-000002\"\nbooked")
        #expect((object["at"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["hb.request.id"] as? String == "req-7" && metadata["amount"] as? String == "1000.00")
        #expect(metadata["ids"] as? [String] == ["a", "b"])
    }
}
