// libFuzzer target: arbitrary bytes as a request frame, through the same path a broker takes
// (frame split, header, body of any API and version), and every response decoder too. Nothing
// may trap; a decoded request must re-encode without error.

import NIOCore
import TernProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequests(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))

    // As a bare frame body: header + request.
    if case let .request(header, body)? = try? DecodedRequest.decode(frame: bytes) {
        var out = ByteBuffer()
        do {
            try body.encode(into: &out, version: header.apiVersion)
        } catch {
            // Decoding produced a value that cannot be encoded: a codec asymmetry.
            fatalError("decoded \(header.apiKey) v\(header.apiVersion) does not re-encode: \(error)")
        }
    }

    // As a length-prefixed stream, with a small frame limit.
    var stream = bytes
    while let frame = try? KafkaFrame.readFrame(from: &stream, maximumBytes: 1 << 16) {
        _ = try? DecodedRequest.decode(frame: frame)
    }

    // As a response body of the API and version named by the first three bytes.
    if size >= 3 {
        let keys = ApiKey.allCases
        let apiKey = keys[Int(data[0]) % keys.count]
        let versions = apiKey.supportedVersions
        let version = versions.lowerBound + Int16(data[1]) % Int16(versions.count)
        var body = bytes.getSlice(at: 3, length: size - 3) ?? ByteBuffer()
        _ = try? KafkaResponseBody.decode(apiKey: apiKey, version: version, from: &body)
    }
    return 0
}
