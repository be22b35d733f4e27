import Foundation

/// User data made of `levels` multipart/mixed entities nested one in the other around one
/// shell script: about 60 bytes a level, so 5,000 levels are 300 KB (issue 29).
public enum NestedMultipart {
    public static func data(levels: Int) -> Data {
        // Built front and back at once: prepending level by level would copy it all each time.
        var front = Data()
        var back: [Data] = []
        for level in 0..<levels {
            let boundary = "b\(level)"
            front.append(Data("Content-Type: multipart/mixed; boundary=\"\(boundary)\"\n\n--\(boundary)\n".utf8))
            back.append(Data("\n--\(boundary)--\n".utf8))
        }
        front.append(Data("Content-Type: text/x-shellscript\n\n#!/bin/sh\necho deep\n".utf8))
        for closing in back.reversed() { front.append(closing) }
        return front
    }
}
