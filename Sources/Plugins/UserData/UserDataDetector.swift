import FoundationEssentials

/// Recognises what a piece of user data is from its MIME type or its first line.
enum UserDataDetector {
    /// MIME types that say nothing about the content: the first line decides.
    static func isGeneric(_ type: String) -> Bool {
        ["text/plain", "text/x-not-multipart", "application/octet-stream", "application/x-gzip", "application/gzip"]
            .contains(type)
    }

    /// True when the data starts like a MIME message (a Content-Type or MIME-Version header).
    static func looksLikeMIME(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(64), as: UTF8.self).lowercased()
        return head.hasPrefix("content-type:") || head.hasPrefix("mime-version:")
    }

    /// The MIME type the first line stands for (cloud-init's "starts with" table).
    static func detectedType(_ data: Data) -> String {
        let line = firstLine(data)
        let lower = line.lowercased()
        if line.hasPrefix("#!") { return "text/x-shellscript" }
        if lower.hasPrefix("#cloud-config-archive") { return "text/cloud-config-archive" }
        if lower.hasPrefix("#cloud-config-jsonp") { return "text/cloud-config-jsonp" }
        if lower.hasPrefix("#cloud-config") { return "text/cloud-config" }
        if lower.hasPrefix("#cloud-boothook") { return "text/cloud-boothook" }
        if lower.hasPrefix("#include-once") { return "text/x-include-once-url" }
        if lower.hasPrefix("#include") { return "text/x-include-url" }
        if lower.hasPrefix("#part-handler") { return "text/part-handler" }
        if lower.hasPrefix("## template: jinja") { return "text/jinja2" }
        if windowsMarker(data) != nil { return "text/x-windows" }
        return "text/plain"
    }

    /// The kind of a part of type `contentType` with this content.
    static func kind(contentType: String, content: Data) -> UserDataPartKind {
        // A Windows script is "not for this platform" whatever type it was sent as.
        if let marker = windowsMarker(content) { return .windows(marker) }
        switch contentType {
        case "text/x-shellscript":
            return firstLine(content).hasPrefix("#!")
                ? .script : .invalid("a text/x-shellscript part must start with a #! line")
        case "text/cloud-config": return .cloudConfig
        case "text/cloud-boothook": return .boothook
        case "text/x-include-url": return .include(once: false)
        case "text/x-include-once-url": return .include(once: true)
        case "text/part-handler": return .partHandler
        default: return .unknown(contentType)
        }
    }

    /// The Windows user data marker the content starts with, if any: cloudbase-init's
    /// `#ps1`, `#ps1_sysnative`, `#ps1_x86`, `rem cmd` (first line, any case), and EC2's
    /// `<powershell>` / `<script>` blocks.
    static func windowsMarker(_ data: Data) -> String? {
        let line = firstLine(data).lowercased().trimmingWhitespace()
        for marker in ["#ps1_sysnative", "#ps1_x86", "#ps1"] where line.hasPrefix(marker) { return marker }
        if line.hasPrefix("rem cmd") { return "rem cmd" }
        let head = String(decoding: data.prefix(4096), as: UTF8.self).lowercased().trimmingWhitespaceAndNewlines()
        for tag in ["<powershell>", "<script>"] where head.hasPrefix(tag) { return tag }
        return nil
    }

    /// The first line, without a UTF-8 byte order mark or a CR.
    static func firstLine(_ data: Data) -> String { Shebang.firstLine(data) }
}
