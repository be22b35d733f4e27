import Foundation
import Testing

@testable import DataSources

/// The goal state's three values, and the health report built from them (cloud-init's
/// `HEALTH_REPORT_XML_TEMPLATE`), read back with the agent's own XML reader.
@Suite struct WireServerGoalStateTests {
    /// cloud-init's test_azure_helper.py `GOAL_STATE_TEMPLATE`, filled in.
    static let goalState = """
        <?xml version="1.0" encoding="utf-8"?>
        <GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
          <Version>2012-11-30</Version>
          <Incarnation>1</Incarnation>
          <Machine><ExpectedState>Started</ExpectedState><StopRolesDeadlineHint>300000</StopRolesDeadlineHint></Machine>
          <Container>
            <ContainerId>TestContainerId</ContainerId>
            <RoleInstanceList>
              <RoleInstance>
                <InstanceId>TestInstanceId</InstanceId>
                <State>Started</State>
                <Configuration><Certificates>http://168.63.129.16/certs</Certificates></Configuration>
              </RoleInstance>
            </RoleInstanceList>
          </Container>
        </GoalState>
        """

    @Test func theThreeValuesAreRead() throws {
        let state = try WireServerGoalState(Data(Self.goalState.utf8), location: "goalstate")
        #expect(
            state == WireServerGoalState(incarnation: "1", containerID: "TestContainerId", instanceID: "TestInstanceId")
        )
    }

    @Test(arguments: [
        ("<Incarnation>1</Incarnation>", "", "Incarnation"),
        ("<ContainerId>TestContainerId</ContainerId>", "<ContainerId> </ContainerId>", "Container/ContainerId"),
        ("<InstanceId>TestInstanceId</InstanceId>", "", "Container/RoleInstanceList/RoleInstance/InstanceId"),
    ])
    func aMissingValueIsNamed(remove: String, replacement: String, field: String) {
        let text = Self.goalState.replacingOccurrences(of: remove, with: replacement)
        #expect(throws: DataSourceError.missingField(location: "goalstate", field: field)) {
            try WireServerGoalState(Data(text.utf8), location: "goalstate")
        }
    }

    @Test func aDocumentThatIsNotAGoalStateIsRefused() {
        for text in ["<html><body>oops</body></html>", "<GoalState><Incarnation>1", "not xml at all"] {
            #expect(throws: DataSourceError.self) { try WireServerGoalState(Data(text.utf8), location: "goalstate") }
        }
    }

    @Test func theHealthReportSaysReadyForTheGoalStateEscaped() throws {
        let state = WireServerGoalState(incarnation: "7", containerID: "c<1>&", instanceID: "i\"2'")
        let report = try BoundedXML().parse(state.readyHealthReport)
        #expect(report.name == "Health")
        #expect(report.child("GoalStateIncarnation")?.text == "7")
        #expect(report.descendant(["Container", "ContainerId"])?.text == "c<1>&")
        let role = report.descendant(["Container", "RoleInstanceList", "Role"])
        #expect(role?.child("InstanceId")?.text == "i\"2'")
        #expect(role?.descendant(["Health", "State"])?.text == "Ready")
        #expect(role?.child("Health")?.child("Details") == nil)
    }
}
