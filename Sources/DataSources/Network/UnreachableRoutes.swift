extension NetworkConfiguration {
    /// The configuration without the static routes whose gateway no network of the instance
    /// reaches, each named in `skipped`.
    ///
    /// Why not refuse the description: cloud-init accepts such routes (MAAS sends them; its
    /// test_net.py cases `small`, `all` and `bond` have them) and the rest of the network is
    /// sound. Why not write them: the kernel refuses a gateway it has no route to ("Nexthop
    /// has invalid gateway"), which fails ifup's stanza or marks the link failed in
    /// networkd, taking the good addresses down with the one bad route. An IPv6 link-local
    /// gateway is always reachable on its link, and so is one the source says is on the link
    /// (`NetworkRoute.onLink`), which the backends are told.
    func droppingUnreachableRoutes() -> NetworkConfiguration {
        var result = self
        for index in result.networks.indices {
            let own = networks[index].staticAddress
            result.networks[index].routes.removeAll { route in
                // A gateway of the wrong family is malformed, not unreachable: the validator refuses it.
                guard route.gateway.isIPv4 == route.destination.address.isIPv4,
                    own.map({ $0.address.isIPv4 == route.gateway.isIPv4 }) ?? true,
                    !route.isOnLink,
                    !networks.contains(where: { $0.staticAddress?.contains(route.gateway) ?? false })
                else { return false }
                result.skipped.append(
                    "\(networks[index].id): route \(route.destination) via \(route.gateway): the gateway is in no "
                        + "network of the instance, skipped")
                return true
            }
        }
        return result
    }
}
