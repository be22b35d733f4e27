import Foundation

/// Runs a real network daemon (systemd-networkd, NetworkManager) or `ifup` inside a scratch
/// network namespace, in private mount and PID namespaces, so that the configuration a test
/// rendered is applied by the tool an image would use, and nothing reaches this machine's
/// /etc, /run or network. The daemon runs until `needles` all appear in the namespace's
/// `ip -o addr` / `ip route` output (no address still tentative), then the PID namespace
/// ends and takes it along; what it configured stays for the test to check.
public enum NetworkDaemons {
    /// How long a daemon may take to configure what the test expects, by default.
    public static let settleSeconds = 20

    /// The shell code the scripts end with: wait up to `seconds` until every needle is present.
    static func waitForNeedles(_ seconds: Int) -> String {
        """
        state() { ip -o addr; ip -4 route; ip -6 route; }
        i=0
        while [ $i -lt \(seconds * 10) ]; do
            out=$(state)
            ok=1
            for needle in "$@"; do
                case "$out" in *"$needle"*) ;; *) ok=0 ;; esac
            done
            case "$out" in *tentative*) ok=0 ;; esac
            [ $ok = 1 ] && exit 0
            sleep 0.1
            i=$((i + 1))
        done
        echo "not configured after \(seconds) s; the namespace has:" >&2
        state >&2
        exit 1
        """
    }

    /// Why /sys is remounted read-only: without udev, systemd-networkd and NetworkManager
    /// wait forever for udev to "initialize" each link, unless /sys is read-only, which they
    /// take as "in a container, no udev": then links are used at once.
    static let privateMounts = """
        set -e
        mount -t tmpfs none /run
        mount -o remount,ro,bind /sys
        """

    /// systemd-networkd with `directory` as its only configuration (/etc/systemd/network).
    public static func networkd(
        in namespace: NetworkNamespace, directory: String, until needles: [String], seconds: Int = settleSeconds
    ) async throws -> ProgramResult {
        let start = """
            mkdir -p /run/systemd/netif
            chown systemd-network: /run/systemd/netif
            mount --bind "$0" /etc/systemd/network
            /lib/systemd/systemd-networkd >/dev/null 2>&1 &
            """
        return try await bringUp(in: namespace, start, on: directory, until: needles, seconds: seconds)
    }

    /// NetworkManager (keyfile plugin only, no DNS handling) with `directory` as its
    /// system-connections, on a private D-Bus system bus.
    public static func networkManager(
        in namespace: NetworkNamespace, directory: String, until needles: [String], seconds: Int = settleSeconds
    ) async throws -> ProgramResult {
        let start = """
            mkdir -p /run/dbus /run/NetworkManager
            mount -t tmpfs none /var/lib/NetworkManager
            mount -t tmpfs none /etc/NetworkManager
            mkdir /etc/NetworkManager/system-connections /etc/NetworkManager/conf.d
            mount --bind "$0" /etc/NetworkManager/system-connections
            printf '[main]\\nplugins=keyfile\\nno-auto-default=*\\ndns=none\\nrc-manager=unmanaged\\n' \
                > /etc/NetworkManager/NetworkManager.conf
            dbus-daemon --system --fork --nopidfile
            /usr/sbin/NetworkManager --no-daemon >/dev/null 2>&1 &
            """
        return try await bringUp(in: namespace, start, on: directory, until: needles, seconds: seconds)
    }

    /// Debian's `ifup -a -i FILE` with its own state directory.
    public static func ifup(
        in namespace: NetworkNamespace, file: String, until needles: [String], seconds: Int = settleSeconds
    ) async throws -> ProgramResult {
        let start = """
            mkdir -p /run/network
            ifup -a -i "$0" --state-dir /run/network
            """
        return try await bringUp(in: namespace, start, on: file, until: needles, seconds: seconds)
    }

    public static var networkdPresent: Bool {
        FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd-networkd")
    }

    public static var networkManagerPresent: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/NetworkManager") && Program.which("dbus-daemon") != nil
    }

    /// Runs `start` (which sees `target` as $0) after the private mounts, then waits for
    /// `needles`, all in private mount and PID namespaces inside `namespace`.
    static func bringUp(
        in namespace: NetworkNamespace, _ start: String, on target: String, until needles: [String], seconds: Int
    ) async throws -> ProgramResult {
        let script = privateMounts + "\n" + start + "\n" + waitForNeedles(seconds)
        return try await namespace.run(
            ["unshare", "--mount", "--pid", "--fork", "--propagation", "private", "sh", "-c", script, target] + needles,
            timeout: Double(seconds + 20))
    }
}
