import Foundation

/// Splits a `multipart/form-data` body into its parts.
enum MultipartReader {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: [UInt8]
    }

    static func parts(of body: [UInt8], boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var sections: [ArraySlice<UInt8>] = []
        var sectionStart: Int?
        var index = 0
        while index + delimiter.count <= body.count {
            if body[index] == delimiter[0], body[index..<index + delimiter.count].elementsEqual(delimiter) {
                if let start = sectionStart { sections.append(body[start..<index]) }
                index += delimiter.count
                sectionStart = index
            } else {
                index += 1
            }
        }
        return sections.compactMap(part)
    }

    /// Reads one section, which looks like `\r\n<headers>\r\n\r\n<data>\r\n`.
    private static func part(_ section: ArraySlice<UInt8>) -> Part? {
        let bytes = Array(section)
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let split = (0...(bytes.count - 4)).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) })
        else { return nil }
        let headerText = String(decoding: bytes[..<split], as: UTF8.self)
        var dataEnd = bytes.count
        if dataEnd - (split + 4) >= 2, bytes[dataEnd - 2] == 13, bytes[dataEnd - 1] == 10 { dataEnd -= 2 }
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headerText.split(separator: "\r\n") {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = quotedParameter("name", in: line)
                filename = quotedParameter("filename", in: line)
            } else if lower.hasPrefix("content-type:") {
                contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name else { return nil }
        return Part(name: name, filename: filename, contentType: contentType, data: Array(bytes[(split + 4)..<dataEnd]))
    }

    private static func quotedParameter(_ parameter: String, in line: Substring) -> String? {
        for piece in line.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\(parameter)=") else { continue }
            return String(trimmed.dropFirst(parameter.count + 1).trimmingCharacters(in: ["\""]))
        }
        return nil
    }
}
