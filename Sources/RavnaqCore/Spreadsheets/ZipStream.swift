import Foundation

/// A ZIP archive written front to back: whole small files with `add` (stored), or one file
/// streamed between `begin` and `end`, deflated as it comes (its CRC and sizes follow it in a
/// data descriptor, general-purpose flag 3), then the central directory with `finish`. No ZIP64:
/// an archive stays under 4 GiB (100 000 families' sheet deflates to about 25 MB).
struct ZipStream {
    private var output = Data()
    private var written = 0
    private var directory = Data()
    private var count: UInt16 = 0
    private var open: (name: Data, offset: UInt32, crc: UInt32, size: Int, compressed: Int, deflater: Deflater)?

    /// A fixed time (1 January 2026, 11:33) for every entry: the same content, the same bytes.
    private static let time: UInt16 = 0x5C21
    private static let date: UInt16 = 0x5C21

    mutating func add(_ name: String, _ content: Data) {
        let nameBytes = Data(name.utf8)
        let crc = CRC32.update(0, content)
        let offset = UInt32(written)
        emit(header(name: nameBytes, flags: 0, method: 0, crc: crc, compressed: UInt32(content.count), size: UInt32(content.count)))
        emit(content)
        record(name: nameBytes, flags: 0, method: 0, crc: crc, compressed: UInt32(content.count), size: UInt32(content.count), offset: offset)
    }

    mutating func begin(_ name: String) {
        let nameBytes = Data(name.utf8)
        open = (nameBytes, UInt32(written), 0, 0, 0, Deflater())
        emit(header(name: nameBytes, flags: 0x08, method: 8, crc: 0, compressed: 0, size: 0))
    }

    mutating func write(_ content: Data) {
        open!.crc = CRC32.update(open!.crc, content)
        open!.size += content.count
        let compressed = open!.deflater.compress(content)
        open!.compressed += compressed.count
        emit(compressed)
    }

    mutating func end() {
        let rest = open!.deflater.finish()
        open!.compressed += rest.count
        emit(rest)
        let entry = open!
        var descriptor = Data()
        descriptor.le32(0x0807_4b50); descriptor.le32(entry.crc); descriptor.le32(UInt32(entry.compressed)); descriptor.le32(UInt32(entry.size))
        emit(descriptor)
        record(name: entry.name, flags: 0x08, method: 8, crc: entry.crc, compressed: UInt32(entry.compressed), size: UInt32(entry.size),
               offset: entry.offset)
        open = nil
    }

    mutating func finish() {
        let start = UInt32(written)
        emit(directory)
        var end = Data()
        end.le32(0x0605_4b50); end.le16(0); end.le16(0); end.le16(count); end.le16(count)
        end.le32(UInt32(directory.count)); end.le32(start); end.le16(0)
        emit(end)
    }

    /// The bytes written since the last call.
    mutating func take() -> Data {
        defer { output = Data() }
        return output
    }

    private mutating func emit(_ bytes: Data) {
        output.append(bytes)
        written += bytes.count
    }

    /// A local file header: version 2.0, stored (0) or deflated (8); with flag 3 the CRC and
    /// sizes are zero here.
    private func header(name: Data, flags: UInt16, method: UInt16, crc: UInt32, compressed: UInt32, size: UInt32) -> Data {
        var header = Data()
        header.le32(0x0403_4b50); header.le16(20); header.le16(flags); header.le16(method)
        header.le16(Self.time); header.le16(Self.date)
        header.le32(crc); header.le32(compressed); header.le32(size)
        header.le16(UInt16(name.count)); header.le16(0)
        header.append(name)
        return header
    }

    private mutating func record(name: Data, flags: UInt16, method: UInt16, crc: UInt32, compressed: UInt32, size: UInt32, offset: UInt32) {
        directory.le32(0x0201_4b50); directory.le16(20); directory.le16(20); directory.le16(flags); directory.le16(method)
        directory.le16(Self.time); directory.le16(Self.date)
        directory.le32(crc); directory.le32(compressed); directory.le32(size)
        directory.le16(UInt16(name.count)); directory.le16(0); directory.le16(0); directory.le16(0); directory.le16(0)
        directory.le32(0); directory.le32(offset)
        directory.append(name)
        count += 1
    }
}

private extension Data {
    mutating func le16(_ value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}

/// The CRC-32 of ZIP (polynomial 0xEDB88320), continued chunk by chunk.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func update(_ crc: UInt32, _ data: Data) -> UInt32 {
        var c = ~crc
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}
