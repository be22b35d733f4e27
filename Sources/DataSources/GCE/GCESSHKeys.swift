import AgentBase
import FoundationEssentials
import Glibc

/// GCE's SSH key attributes: one key per line, each `user:key` (`ssh-keys`, `sshKeys`, at
/// instance and project level). A key may end in Google's expiry note,
/// `google-ssh {"userName":"...","expireOn":"2018-08-09T19:01:23+0000"}`.
///
/// Every user's key is kept, named by its user, as afterburn does; cloud-init keeps only
/// the keys of `cloudinit` and its default user. The agent installs keys for its one admin
/// user, and on GCE every user listed in the keys is a sudoer (Google's guest agent makes
/// them so), so this grants no access those users lack.
enum GCESSHKeys {
    /// The usable keys of one attribute and, by line, those refused (no `user:` part,
    /// not ASCII, expired).
    static func parse(_ text: String, attribute: String, now: Int) -> (keys: [PublicKeyEntry], refused: [String]) {
        var keys: [PublicKeyEntry] = []
        var refused: [String] = []
        for (index, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingWhitespaceAndNewlines()
            guard !line.isEmpty else { continue }
            let place = "\(attribute) line \(index + 1)"
            // cloud-init drops lines that are not all ASCII.
            guard line.unicodeScalars.allSatisfy(\.isASCII) else {
                refused.append("\(place) is not ASCII")
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                refused.append("\(place) is not 'user:key'")
                continue
            }
            let user = String(line[..<colon])
            let key = String(line[line.index(after: colon)...]).trimmingWhitespaceAndNewlines()
            guard !key.isEmpty else { continue }
            if let expiry = expiry(of: key), expiry < now {
                refused.append("\(place) (\(TextPreview.line(user, limit: 40))) expired")
                continue
            }
            keys.append(PublicKeyEntry(name: user, line: key))
        }
        return (keys, refused)
    }

    /// The `expireOn` of a `google-ssh` key, as seconds since the epoch; nil when the key has
    /// none or it cannot be read (cloud-init's `_has_expired` then keeps the key too).
    static func expiry(of key: String) -> Int? {
        let fields = key.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard fields.count == 4, fields[2] == "google-ssh",
            let note = try? JSONValue.parse(Data(fields[3].utf8)).objectValue,
            let stamp = note["expireOn"]?.stringValue
        else { return nil }
        return seconds(stamp)
    }

    /// `2018-08-09T19:01:23+0000` (cloud-init's `%Y-%m-%dT%H:%M:%S%z`; `Z` and `+00:00`
    /// too, as Python's `%z` reads them) as seconds since the epoch.
    static func seconds(_ stamp: String) -> Int? {
        let scalars = Array(stamp.utf8)
        guard scalars.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: scalars[range], as: UTF8.self)) }
        guard scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"), scalars[10] == UInt8(ascii: "T"),
            scalars[13] == UInt8(ascii: ":"), scalars[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        let zone = String(decoding: scalars[19...], as: UTF8.self).filter { $0 != ":" }
        let offset: Int
        if zone == "Z" {
            offset = 0
        } else {
            guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
                let hours = Int(zone.dropFirst().prefix(2)), let minutes = Int(zone.suffix(2))
            else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts)) - offset
    }
}
