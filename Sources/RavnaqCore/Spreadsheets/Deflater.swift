import CZlib
import Foundation

/// zlib's raw deflate (RFC 1951, as ZIP stores it), fed a chunk at a time. The z_stream lives
/// at a fixed address for as long as zlib uses it (zlib keeps a pointer back to it).
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 1 << 16)

    /// Level 6, zlib's default: XLSX's repetitive XML shrinks about twentyfold.
    init(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // -15: a raw deflate stream, no zlib header (ZIP's method 8).
        let status = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib's deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The compressed bytes of `input` that zlib has ready (maybe none yet).
    func compress(_ input: Data) -> Data {
        var compressed = Data()
        var input = [UInt8](input)
        input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            // Until zlib leaves room in the output: then it has taken all the input.
            while step(Z_NO_FLUSH, into: &compressed) == 0 {}
            stream.pointee.next_in = nil
        }
        return compressed
    }

    /// The rest of the stream.
    func finish() -> Data {
        var compressed = Data()
        while true {
            let room = step(Z_FINISH, into: &compressed)
            if room > 0, lastStatus == Z_STREAM_END { break }
        }
        return compressed
    }

    private var lastStatus: Int32 = Z_OK

    /// One call of deflate into the output buffer; returns the room it left there.
    private func step(_ flush: Int32, into compressed: inout Data) -> Int {
        output.withUnsafeMutableBufferPointer { target in
            stream.pointee.next_out = target.baseAddress
            stream.pointee.avail_out = UInt32(target.count)
            lastStatus = deflate(stream, flush)
            precondition(lastStatus != Z_STREAM_ERROR, "zlib's deflate failed")
            compressed.append(target.baseAddress!, count: target.count - Int(stream.pointee.avail_out))
            return Int(stream.pointee.avail_out)
        }
    }
}
