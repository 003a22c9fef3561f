#!/usr/bin/env python3
"""Build a sysfs-shaped fixture tree the way the kernel lays it out.

    mksysfs.py SCENARIO DIR          isolated | shared-pairs | host-shared | two-numa | kinds | mixed
    mksysfs.py big DIR PFS VFS       PFS PFs with VFS VFs each, every function isolated
    mksysfs.py host NAME DIR         a whole host (DIR/sys, DIR/proc) for host check: see host()

    --nodedev FILE (with SCENARIO or big) also writes FILE: the same host as
    libvirt's node devices, a test-driver host (test:///FILE) whose <device>
    elements are shaped as libvirt's udev backend reports a real host's; see
    nodedev_xml(). Both come from the one description, so they cannot drift.

Real device directories live under devices/pci0000:BB/<root port>/<function>;
bus/pci/devices/<addr> are relative symlinks into them; driver and
iommu_group are relative symlinks to bus/pci/drivers/<name> and
kernel/iommu_groups/<N>, whose devices/ links back; PFs have
sriov_totalvfs, sriov_numvfs, virtfnN links and net/<ifname>; VFs a physfn
link. Attribute files hold 0x values with a newline, as the kernel writes them;
uevent holds DRIVER, PCI_CLASS and PCI_ID as pci_uevent() writes them.
"""
import grp
import os
import struct
import sys
from xml.sax.saxutils import escape


class Tree:
    def __init__(self, root, uevent=True, acs=True, iommu=True, config=4096, no_acs=()):
        self.root = root
        self.uevent = uevent
        self.acs = acs          # an ACS extended capability in every config space
        self.no_acs = set(no_acs)  # ... but in these devices'
        self.iommu = iommu      # IOMMU groups at all
        self.config = config    # bytes of config readable (256: not root)
        self.next_group = 0
        self.devs = []          # every function as written, in order, for nodedev_xml()
        self.by_addr = {}
        os.makedirs(root, exist_ok=False) if not os.path.isdir(root) else None
        for d in ("bus/pci/devices", "bus/pci/drivers", "kernel/iommu_groups"):
            os.makedirs(os.path.join(root, d), exist_ok=True)

    def group(self):
        if not self.iommu:
            return None
        g = self.next_group
        self.next_group += 1
        os.makedirs(os.path.join(self.root, "kernel/iommu_groups", str(g), "devices"))
        return g

    def _write(self, d, name, text):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)

    def _link(self, target, link):
        # relative, like the kernel's: resolves inside the tree wherever it is copied
        os.symlink(os.path.relpath(target, os.path.dirname(link)), link)

    def _config(self, d, vendor, device, cls, addr):
        """Config space: IDs and class, and PCIe extended capabilities from 0x100
        (AER, then ACS when the tree has it), as a real device's config file."""
        acs = self.acs and addr not in self.no_acs
        cfg = bytearray(4096)
        cfg[0:4] = struct.pack("<HH", vendor, device)
        cfg[9:12] = bytes([cls & 255, (cls >> 8) & 255, cls >> 16])
        aer = 0x0001 | 1 << 16 | ((0x148 if acs else 0) << 20)
        cfg[0x100:0x104] = struct.pack("<I", aer)
        if acs:
            cfg[0x148:0x14C] = struct.pack("<I", 0x000D | 1 << 16)
        with open(os.path.join(d, "config"), "wb") as f:
            f.write(bytes(cfg[: self.config]))

    def root_port(self, addr):
        """A PCIe root port 0000:BB:00.0 under devices/pci0000:BB, in its own group."""
        bus = addr.split(":")[1]
        rel = os.path.join("devices", "pci0000:" + bus, addr)
        self.function(rel, addr, 0x8086, 0x2030, 0x060400, "pcieport", 0, self.group())
        return rel

    def bridge(self, parent_rel, addr, device=0x2030, vendor=0x8086):
        """A PCIe port (root, switch upstream or downstream) below parent_rel, in its own group."""
        self.function(parent_rel, addr, vendor, device, 0x060400, "pcieport", 0, self.group())
        return os.path.join(parent_rel, addr)

    def function(self, parent_rel, addr, vendor, device, cls, driver, numa, group, linked=True):
        """linked=False: the function's directory is bus/pci/devices/<addr> itself, with no
        path through its bridges, as no kernel makes it (for readers that must cope)."""
        if not linked:
            parent_rel = "bus/pci/devices"
        rel = parent_rel if parent_rel.endswith(addr) else os.path.join(parent_rel, addr)
        d = os.path.join(self.root, rel)
        os.makedirs(d, exist_ok=True)
        self._write(d, "vendor", "0x%04x\n" % vendor)
        self._write(d, "device", "0x%04x\n" % device)
        self._write(d, "class", "0x%06x\n" % cls)
        self._write(d, "numa_node", "%d\n" % numa)
        self._config(d, vendor, device, cls, addr)
        if self.uevent:
            # as pci_uevent() writes it; labctl reads this one file when it can
            self._write(d, "uevent", "%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:0000\n"
                        "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd00000000bc%02Xsc%02Xi%02X\n"
                        % ("DRIVER=%s\n" % driver if driver else "", cls, vendor, device, vendor,
                           addr, vendor, device, vendor, cls >> 16, (cls >> 8) & 255, cls & 255))
        if driver:
            drv = os.path.join(self.root, "bus/pci/drivers", driver)
            os.makedirs(drv, exist_ok=True)
            self._link(drv, os.path.join(d, "driver"))
        if group is not None:
            g = os.path.join(self.root, "kernel/iommu_groups", str(group))
            self._link(g, os.path.join(d, "iommu_group"))
            self._link(d, os.path.join(g, "devices", addr))
        if linked:
            self._link(d, os.path.join(self.root, "bus/pci/devices", addr))
        parent = os.path.basename(parent_rel) if linked and parent_rel != rel else None
        rec = dict(addr=addr, vendor=vendor, device=device, cls=cls, driver=driver, numa=numa,
                   group=group, path=rel if linked else None,
                   parent=parent if parent and parent.count(":") == 2 else None)
        self.devs.append(rec)
        self.by_addr[addr] = rec
        return d

    def pf(self, port_rel, addr, vendor, device, driver, numa, group, ifname, total, linked=True):
        d = self.function(port_rel, addr, vendor, device, 0x020000, driver, numa, group, linked)
        self._write(d, "sriov_totalvfs", "%d\n" % total)
        self._write(d, "sriov_numvfs", "0\n")
        os.makedirs(os.path.join(d, "net", ifname))
        mac = "b8:59:9f:00:00:%02x" % ((group or 0) % 256)
        self._write(os.path.join(d, "net", ifname), "address", mac + "\n")
        self.by_addr[addr].update(total=total, vfs=[], ifname=ifname, mac=mac)
        return d

    def vf(self, port_rel, pf_addr, index, addr, vendor, device, driver, numa, group, ifname=None):
        d = self.function(port_rel, addr, vendor, device, 0x020000, driver, numa, group)
        pfd = os.path.join(self.root, port_rel, pf_addr)
        self._link(pfd, os.path.join(d, "physfn"))
        self._link(d, os.path.join(pfd, "virtfn%d" % index))
        with open(os.path.join(pfd, "sriov_numvfs"), "w") as f:
            f.write("%d\n" % (index + 1))
        if ifname:
            os.makedirs(os.path.join(d, "net", ifname))
        self.by_addr[pf_addr]["vfs"].append((index, addr))
        rec = self.by_addr[addr]
        rec["physfn"] = pf_addr
        if ifname:
            rec.update(ifname=ifname, mac="02:00:00:%s:%02x:%02x" % (
                addr[5:7], int(addr[8:10], 16), int(addr[11])))
        return d


def nodedev_name(addr):
    return "pci_" + addr.replace(":", "_").replace(".", "_")


def address_xml(addr):
    dom, bus, rest = addr.split(":")
    slot, fn = rest.split(".")
    return "<address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>" % (dom, bus, slot, fn)


def nodedev_xml(t):
    """The tree's functions as a libvirt test-driver host: one <device> per PCI
    function (as `virsh nodedev-dumpxml` shows them on a real host: class, ids,
    driver, iommuGroup with its members, numa, phys_function / virt_functions
    with maxCount) and one per network interface (its parent the function)."""
    members = {}
    for r in t.devs:
        if r["group"] is not None:
            members.setdefault(r["group"], []).append(r["addr"])
    out = ["<node>",
           "  <cpu><nodes>2</nodes><sockets>2</sockets><cores>2</cores><threads>1</threads>"
           "<active>4</active><mhz>2400</mhz><model>x86_64</model></cpu>",
           "  <memory>16777216</memory>"]
    for r in t.devs:
        dom, bus, rest = r["addr"].split(":")
        slot, fn = rest.split(".")
        out += ["  <device>", "    <name>%s</name>" % nodedev_name(r["addr"])]
        if r["path"]:
            out.append("    <path>/sys/%s</path>" % escape(r["path"]))
        out.append("    <parent>%s</parent>" % (nodedev_name(r["parent"]) if r["parent"] else "computer"))
        if r["driver"]:
            out.append("    <driver><name>%s</name></driver>" % escape(r["driver"]))
        out += ["    <capability type='pci'>",
                "      <class>0x%06x</class>" % r["cls"],
                "      <domain>%d</domain>" % int(dom, 16),
                "      <bus>%d</bus>" % int(bus, 16),
                "      <slot>%d</slot>" % int(slot, 16),
                "      <function>%d</function>" % int(fn, 16),
                "      <product id='0x%04x'/>" % r["device"],
                "      <vendor id='0x%04x'/>" % r["vendor"]]
        if "physfn" in r:
            out += ["      <capability type='phys_function'>",
                    "        " + address_xml(r["physfn"]), "      </capability>"]
        if "total" in r:
            vfs = [a for _, a in sorted(r["vfs"])]
            out.append("      <capability type='virt_functions' maxCount='%d'>" % r["total"])
            out += ["        " + address_xml(a) for a in vfs]
            out.append("      </capability>")
        if r["group"] is not None:
            out.append("      <iommuGroup number='%d'>" % r["group"])
            out += ["        " + address_xml(a) for a in members[r["group"]]]
            out.append("      </iommuGroup>")
        out += ["      <numa node='%d'/>" % r["numa"], "    </capability>", "  </device>"]
        if "ifname" in r:
            out += ["  <device>",
                    "    <name>net_%s_%s</name>" % (r["ifname"], r["mac"].replace(":", "_")),
                    "    <parent>%s</parent>" % nodedev_name(r["addr"]),
                    "    <capability type='net'>",
                    "      <interface>%s</interface>" % escape(r["ifname"]),
                    "      <address>%s</address>" % r["mac"],
                    "      <link state='up'/>",
                    "      <capability type='80203'/>",
                    "    </capability>",
                    "  </device>"]
    out.append("</node>")
    return "\n".join(out) + "\n"


def vf_addr(bus, slot, fn):
    return "0000:%s:%02x.%d" % (bus, slot, fn)


def cx5(t, port, numa, pairs=False, pf_first=0, start_if=0):
    """Two ConnectX-5 PFs on bus d8 with 4 VFs each (15b3:1017 PFs, 15b3:1018 VFs)."""
    for p in range(2):
        pf = "0000:d8:00.%d" % p
        t.pf(port, pf, 0x15B3, 0x1017, "mlx5_core", numa, t.group(), "ens1f%d" % (p + start_if), 8)
        shared = None
        for i in range(4):
            addr = vf_addr("d8", p, 2 + i)
            if pairs:
                if i % 2 == 0:
                    shared = t.group()
                g = shared
            else:
                g = t.group()
            t.vf(port, pf, i, addr, 0x15B3, 0x1018, "vfio-pci", numa, g)


def scenario(name, root):
    # host-shared has no uevent files: the reader's fallback to vendor/device/class
    t = Tree(root, uevent=(name != "host-shared"))
    _scenario(t, name)
    return t


def _scenario(t, name):
    if name in ("isolated", "shared-pairs"):
        cx5(t, t.root_port("0000:d7:00.0"), 0, pairs=(name == "shared-pairs"))
    elif name == "host-shared":
        port = t.root_port("0000:3a:00.0")
        pf = "0000:3b:00.0"
        g = t.group()
        t.pf(port, pf, 0x8086, 0x1572, "i40e", 0, g, "enp59s0f0", 8)
        for i in range(4):
            t.vf(port, pf, i, vf_addr("3b", 2, i), 0x8086, 0x154C, "iavf", 0,
                 g if i < 2 else t.group(), "enp59s0f0v%d" % i)
        t.function(t.root_port("0000:5d:00.0"), "0000:5e:00.0", 0x144D, 0xA808, 0x010802, "nvme", 0,
                   t.group())
    elif name == "two-numa":
        cx5(t, t.root_port("0000:d7:00.0"), 0)
        port = t.root_port("0000:85:00.0")
        pf = "0000:86:00.0"
        t.pf(port, pf, 0x8086, 0x1572, "i40e", 1, t.group(), "ens2f0", 8)
        for i in range(4):
            t.vf(port, pf, i, vf_addr("86", 2, i), 0x8086, 0x154C, "vfio-pci", 1, t.group())
    elif name == "mixed":
        # the node-device golden host: two PFs whose VFs pair up in groups (NUMA 0), a
        # PF on NUMA 1 whose first VF shares its group (host-shared), an NVMe drive
        cx5(t, t.root_port("0000:d7:00.0"), 0, pairs=True)
        port = t.root_port("0000:85:00.0")
        pf = "0000:86:00.0"
        g = t.group()
        t.pf(port, pf, 0x8086, 0x1572, "i40e", 1, g, "ens2f0", 8)
        for i in range(4):
            t.vf(port, pf, i, vf_addr("86", 2, i), 0x8086, 0x154C, "vfio-pci", 1,
                 g if i == 0 else t.group())
        t.function(t.root_port("0000:5d:00.0"), "0000:5e:00.0", 0x144D, 0xA808, 0x010802,
                   "nvme", 0, t.group())
    elif name == "kinds":
        # what tests/fixtures/kinds.yaml passes through: an NVMe alone in its group, and VFs
        t.function(t.root_port("0000:3a:00.0"), "0000:3b:00.0", 0x144D, 0xA808, 0x010802,
                   "vfio-pci", 0, t.group())
        cx5(t, t.root_port("0000:d7:00.0"), 0)
    else:
        sys.exit("mksysfs: unknown scenario %r" % name)


def big(root, pfs, vfs):
    t = Tree(root)
    for p in range(pfs):
        bus = "%02x" % (0x10 + p)
        port = t.root_port("0000:%02x:00.0" % (0x10 + p + 0x80))
        pf = "0000:%s:00.0" % bus
        vendor, pdev, vdev = (0x15B3, 0x1017, 0x1018) if p % 2 == 0 else (0x8086, 0x1572, 0x154C)
        numa = p % 2
        t.pf(port, pf, vendor, pdev, "mlx5_core", numa, t.group(), "ens%df0" % p, vfs)
        for i in range(vfs):
            addr = "0000:%s:%02x.%d" % (bus, 1 + i // 8, i % 8)
            t.vf(port, pf, i, addr, vendor, vdev, "vfio-pci", numa, t.group())
    return t


CPU = {
    "intel": ("GenuineIntel", "fpu vme de pse tsc msr pae mce cx8 apic vmx smx est", "vnmi preemption_timer invvpid ept_x_only flexpriority tsc_offset vtpr mtf vapic ept vpid unrestricted_guest vapic_reg vid ple shadow_vmcs pml"),
    "intel-old": ("GenuineIntel", "fpu vme de pse tsc msr pae mce cx8 apic vmx est", "vnmi preemption_timer invvpid ept vpid unrestricted_guest"),
    "amd": ("AuthenticAMD", "fpu vme de pse tsc msr pae mce cx8 apic svm extapic cr8_legacy", None),
    "none": ("AuthenticAMD", "fpu vme de pse tsc msr pae mce cx8 apic hypervisor", None),
    "intel-novmx": ("GenuineIntel", "fpu vme de pse tsc msr pae mce cx8 apic hypervisor", None),
    "hygon": ("HygonGenuine", "fpu vme de pse tsc msr pae mce cx8 apic svm extapic cr8_legacy", None),
    # Zhaoxin (Centaur's heir): neither Intel nor AMD by name, VT-x by flag
    "centaur": ("CentaurHauls", "fpu vme de pse tsc msr pae mce cx8 apic vmx est", "vnmi ept vpid unrestricted_guest"),
}

# hosts like intel-good but for one thing (see host())
INTEL_LIKE = ("noroot", "nopt", "nokvm", "nodevkvm", "kvm600", "kvm-novmx", "nointeliommu",
              "nosriov", "vf-hostshared", "acs-switch", "acs-nolink", "vmd", "centaur")


def host(name, root):
    """A whole L0 host for host check: ROOT/sys, ROOT/proc and ROOT/dev.

    intel-good   Intel, nested + shadow VMCS on, IOMMU on (intel_iommu=on iommu=pt),
                 ACS everywhere, two PFs with 4 VFs each, each VF alone, ignore_msrs
    intel-bad    Intel, nested and shadow VMCS off, no IOMMU, PFs with no VFs, no ignore_msrs
    intel-old    Intel CPU without VMCS shadowing, kvm_intel enable_shadow_vmcs unset
    amd-good     AMD, nested on, IOMMU on, no ACS: VFs in pairs
    amd-nonested AMD with kvm_amd nested=0
    amd-noiommu  AMD, no IOMMU groups (AMD-Vi off in the firmware or amd_iommu=off)
    hygon        Hygon (HygonGenuine): AMD's svm and kvm_amd, nested=1
    centaur      neither Intel nor AMD by name (CentaurHauls) but vmx: kvm_intel, whose
                 nested file says 1, not Y; no VMCS shadowing
    noroot       like intel-good, but config space reads stop at 256 bytes
    nopt         like intel-good, but the command line lacks iommu=pt
    nointeliommu like intel-good, but the command line lacks intel_iommu=on
    nokvm        like intel-good, but no /dev/kvm and no kvm modules loaded
    novirt       no vmx/svm, /dev/kvm from kvm_pvm
    kvm-novmx    an Intel CPU showing no vmx, yet class/misc/kvm, and no kvm_pvm
    nodevkvm     like intel-good, but the kvm module has no /dev/kvm node (no udev)
    kvm600       like intel-good, but /dev/kvm is 0600 (no udev rule)
    nosriov      like intel-good, but no SR-IOV device: an NVMe drive alone
    vf-hostshared like intel-good, but ens1f0's first VF shares the PF's IOMMU group
    acs-switch   like intel-good, but the PFs sit behind a switch (root port d7:00.0,
                 upstream d8:00.0, downstream d9:00.0) whose downstream port lacks ACS
    acs-nolink   like intel-good, plus a third PF (ens2f0, 0000:5e:00.0, no VFs) whose
                 bus/pci/devices entry is a directory, not a link into devices/
    vmd          like intel-good, but the PFs sit in PCI domain 10000 behind Intel VMD
                 (0000:00:0e.5): long-domain addresses, ACS everywhere

    /dev/kvm is a regular file with the node's owner and mode: host check
    looks at who may open it, which a fixture can show without mknod.
    Its owner is whoever built the fixture.
    """
    sysd, procd = os.path.join(root, "sys"), os.path.join(root, "proc")
    intel = name.startswith("intel") or name in INTEL_LIKE
    good = name in ("intel-good", "amd-good", "intel-old", "hygon") or name in INTEL_LIKE
    cpu = {"intel-old": "intel-old", "novirt": "none", "kvm-novmx": "intel-novmx",
           "hygon": "hygon", "centaur": "centaur"}.get(name, "intel" if intel else "amd")
    t = Tree(sysd, acs=name not in ("amd-good",), iommu=name not in ("intel-bad", "amd-noiommu"),
             config=256 if name == "noroot" else 4096, no_acs=["0000:d9:00.0"])
    domain, bus = "0000", "d8"
    if name == "acs-switch":
        # a PLX PEX 8747: upstream port, then a downstream port per slot
        up = t.bridge(t.root_port("0000:d7:00.0"), "0000:d8:00.0", 0x8747, 0x10B5)
        port = t.bridge(up, "0000:d9:00.0", 0x8747, 0x10B5)
        bus = "da"
    elif name == "vmd":
        # VMD is an endpoint in domain 0000 that owns a domain of its own; its devices
        # share the VMD's DMA alias on a real host, here each has a group of its own
        t.function("devices/pci0000:00", "0000:00:0e.5", 0x8086, 0x28C0, 0x010400, "vmd", 0,
                   t.group())
        port = t.bridge("devices/pci0000:00/0000:00:0e.5/pci10000:00", "10000:00:02.0", 0x347A)
        domain, bus = "10000", "01"
    else:
        port = t.root_port("0000:d7:00.0")
    if name == "nosriov":
        t.function(port, "0000:d8:00.0", 0x144D, 0xA808, 0x010802, "nvme", 0, t.group())
    for p in range(2 if name != "nosriov" else 0):
        pf = "%s:%s:00.%d" % (domain, bus, p)
        pf_group = t.group()
        t.pf(port, pf, 0x15B3, 0x1017, "mlx5_core", 0, pf_group, "ens1f%d" % p, 8)
        if name == "intel-bad":
            continue
        shared = None
        for i in range(4):
            if name == "amd-good":
                if i % 2 == 0:
                    shared = t.group()
                g = shared
            elif name == "vf-hostshared" and p == 0 and i == 0:
                g = pf_group
            else:
                g = t.group()
            t.vf(port, pf, i, "%s:%s:%02x.%d" % (domain, bus, p, 2 + i), 0x15B3, 0x1018,
                 "vfio-pci", 0, g)
    if name == "acs-nolink":
        t.pf(t.root_port("0000:5d:00.0"), "0000:5e:00.0", 0x8086, 0x1572, "i40e", 0, t.group(),
             "ens2f0", 8, linked=False)
    mod = "kvm_intel" if intel else "kvm_amd"
    params = {"kvm": {"ignore_msrs": "Y" if good else "N"}}
    if name not in ("novirt", "kvm-novmx"):
        on = {"centaur": "1"}.get(name, "Y" if intel else "1")
        params[mod] = {"nested": on if good else ("N" if intel else "0")}
        if intel:
            no = ("intel-bad", "intel-old", "centaur")
            params[mod]["enable_shadow_vmcs"] = "N" if name in no else "Y"
    if name == "novirt":
        params["kvm_pvm"] = {}
    if name == "nokvm":
        params = {}
    for m, ps in params.items():
        os.makedirs(os.path.join(sysd, "module", m, "parameters"), exist_ok=True)
        for k, v in ps.items():
            with open(os.path.join(sysd, "module", m, "parameters", k), "w") as f:
                f.write(v + "\n")
    if name != "nokvm":
        os.makedirs(os.path.join(sysd, "class/misc/kvm"), exist_ok=True)
        with open(os.path.join(sysd, "class/misc/kvm/dev"), "w") as f:
            f.write("10:232\n")
    if name not in ("nokvm", "nodevkvm"):
        devd = os.path.join(root, "dev")
        os.makedirs(devd, exist_ok=True)
        node = os.path.join(devd, "kvm")
        open(node, "w").close()
        # systemd's rule gives 0666; Debian's gives root:kvm 0660 (used when it can be shown)
        mode = 0o666
        if name == "kvm600":
            mode = 0o600
        elif name == "amd-good" and os.geteuid() == 0:
            try:
                os.chown(node, 0, grp.getgrnam("kvm").gr_gid)
                mode = 0o660
            except KeyError:
                pass
        os.chmod(node, mode)
    if name not in ("intel-bad", "amd-noiommu"):
        os.makedirs(os.path.join(sysd, "class/iommu", "dmar0" if intel else "ivhd0"), exist_ok=True)
    vendor, flags, vmx = CPU[cpu]
    os.makedirs(procd, exist_ok=True)
    with open(os.path.join(procd, "cpuinfo"), "w") as f:
        for n in range(2):
            f.write("processor\t: %d\nvendor_id\t: %s\nflags\t\t: %s\n" % (n, vendor, flags))
            if vmx:
                f.write("vmx flags\t: %s\n" % vmx)
            f.write("\n")
    cmd = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet"
    if name == "nopt":
        cmd += " intel_iommu=on"
    elif name == "nointeliommu":
        cmd += " iommu=pt"
    elif name == "amd-noiommu":
        cmd += " amd_iommu=off"
    elif name != "intel-bad":
        cmd += " intel_iommu=on iommu=pt" if intel else " iommu=pt"
    with open(os.path.join(procd, "cmdline"), "w") as f:
        f.write(cmd + "\n")


if __name__ == "__main__":
    args, nodedev = sys.argv[1:], None
    if "--nodedev" in args:
        i = args.index("--nodedev")
        if i + 1 >= len(args):
            sys.exit(__doc__)
        nodedev = args[i + 1]
        del args[i:i + 2]
    if len(args) == 4 and args[0] == "big":
        tree = big(args[1], int(args[2]), int(args[3]))
    elif len(args) == 3 and args[0] == "host" and not nodedev:
        tree = host(args[1], args[2])
    elif len(args) == 2:
        tree = scenario(args[0], args[1])
    else:
        sys.exit(__doc__)
    if nodedev:
        with open(nodedev, "w") as f:
            f.write(nodedev_xml(tree))
