import AgentBase
import FoundationEssentials

/// What the ready report needs from the WireServer's goal state (`GET /machine/?comp=goalstate`):
/// `Incarnation`, `Container/ContainerId` and
/// `Container/RoleInstanceList/RoleInstance/InstanceId`, the three values cloud-init's
/// `GoalState` (helpers/azure.py) requires, raising when one is missing, as this does.
public struct WireServerGoalState: Sendable, Equatable {
    public var incarnation: String
    public var containerID: String
    public var instanceID: String

    public init(incarnation: String, containerID: String, instanceID: String) {
        self.incarnation = incarnation
        self.containerID = containerID
        self.instanceID = instanceID
    }

    /// Parses the goal state document; `location` names it in errors (malformed XML, a root
    /// that is not `GoalState`, a missing or empty field).
    public init(_ data: Data, location: String) throws {
        let root: XMLTreeElement
        do {
            root = try BoundedXML(maxBytes: 256 * 1024).parse(data)
        } catch {
            throw DataSourceError.malformedDocument(location: location, reason: "not XML the agent reads (\(error))")
        }
        guard root.name == "GoalState" else {
            throw DataSourceError.malformedDocument(
                location: location, reason: "the root element is <\(BoundedXML.preview(root.name))>, not <GoalState>")
        }
        func field(_ path: [String]) throws -> String {
            let value = root.descendant(path)?.text.trimmingWhitespaceAndNewlines() ?? ""
            guard !value.isEmpty else {
                throw DataSourceError.missingField(location: location, field: path.joined(separator: "/"))
            }
            return value
        }
        incarnation = try field(["Incarnation"])
        containerID = try field(["Container", "ContainerId"])
        instanceID = try field(["Container", "RoleInstanceList", "RoleInstance", "InstanceId"])
    }

    /// The `Health` document reporting `Ready` for this goal state: cloud-init's
    /// `HEALTH_REPORT_XML_TEMPLATE` (afterburn's `ready_state!` is the same document) with
    /// no `Details`, the values XML-escaped as cloud-init escapes them.
    public var readyHealthReport: Data {
        Data(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <Health xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xmlns:xsd="http://www.w3.org/2001/XMLSchema">
              <GoalStateIncarnation>\(Self.escape(incarnation))</GoalStateIncarnation>
              <Container>
                <ContainerId>\(Self.escape(containerID))</ContainerId>
                <RoleInstanceList>
                  <Role>
                    <InstanceId>\(Self.escape(instanceID))</InstanceId>
                    <Health>
                      <State>Ready</State>
                    </Health>
                  </Role>
                </RoleInstanceList>
              </Container>
            </Health>

            """.utf8)
    }

    /// `&`, `<`, `>` and quotes as entities (a goal state value is the WireServer's, but an
    /// id holding markup must not change the report's structure).
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
