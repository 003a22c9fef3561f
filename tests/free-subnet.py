#!/usr/bin/env python3
"""Print a 10.A.B.0/24 subnet that no interface routes and no libvirt
network on qemu:///system uses, for the tests that start real NAT networks.

libvirt refuses to start a network whose subnet is already routed ("Network
is already in use by interface virbrN"), so a subnet derived from the test's
PID alone collides now and then with whatever else the machine runs."""
import ipaddress
import random
import subprocess
import sys
import xml.etree.ElementTree as ET


def routed():
    nets = set()
    with open("/proc/net/route") as f:
        next(f)
        for line in f:
            cols = line.split()
            dest = int(cols[1], 16).to_bytes(4, "little")
            mask = int(cols[7], 16).to_bytes(4, "little")
            if mask != b"\0\0\0\0":
                nets.add(ipaddress.ip_network(
                    "%s/%s" % (ipaddress.ip_address(dest), ipaddress.ip_address(mask)),
                    strict=False))
    return nets


def libvirt_nets():
    nets = set()
    run = lambda *a: subprocess.run(["virsh", "-q", "-c", "qemu:///system", *a],
                                    capture_output=True, text=True).stdout
    for name in run("net-list", "--all", "--name").split():
        try:
            root = ET.fromstring(run("net-dumpxml", name))
        except ET.ParseError:
            continue
        for ip in root.iter("ip"):
            addr = ip.get("address")
            prefix = ip.get("prefix") or ip.get("netmask")
            if addr and prefix and ":" not in addr:
                nets.add(ipaddress.ip_network("%s/%s" % (addr, prefix), strict=False))
    return nets


def main():
    # subnets named on the command line are taken too (a test's first pick)
    taken = routed() | libvirt_nets() | {ipaddress.ip_network(a) for a in sys.argv[1:]}
    rng = random.Random()
    for _ in range(10000):
        cand = ipaddress.ip_network("10.%d.%d.0/24" % (rng.randint(100, 250), rng.randint(0, 255)))
        if not any(cand.overlaps(t) for t in taken):
            print(cand)
            return 0
    raise SystemExit("free-subnet: no free 10.x.y.0/24")


if __name__ == "__main__":
    main()
