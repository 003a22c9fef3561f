# labctl: a plain Makefile with explicit source lists (README.md, "Building").
#   make                  bin/labctl
#   make check            every test tier (unit, integration, schema, CLI)
#   make check SANITIZE=1 the same under ASan + UBSan
#   make install PREFIX=/usr/local

PREFIX  ?= /usr/local
DATADIR ?= $(CURDIR)
CC      ?= cc
PKGS    := libvirt libxml-2.0 yaml-0.1 libcurl libisofs-1 gnutls

ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# A report must fail the run even where a test expects labctl's exit 1 or
# throws the exit status away (a killed up): reports go to files, which
# `check` requires to be absent at its end, and exit with a code of their own.
SAN_REPORTS := $(CURDIR)/build/san/reports
export ASAN_OPTIONS := log_path=$(SAN_REPORTS)/asan:exitcode=86
export UBSAN_OPTIONS := log_path=$(SAN_REPORTS)/ubsan:exitcode=86:print_stacktrace=1
else
BUILD   := build/plain
SANFLAGS :=
endif

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 $(SANFLAGS)
CPPFLAGS += $(shell pkg-config --cflags $(PKGS))
# The include path of the layer a source file is in: util/ sees only itself,
# the middle sees util/, cmd/ sees all; tests, bench and fuzz see all.
ALL_INC := -Ilabctl/cmd -Ilabctl -Ilabctl/util
LAYER_INC = $(if $(filter labctl/util/%,$<),-Ilabctl/util,$(if $(filter labctl/cmd/%,$<),$(ALL_INC),$(if $(filter labctl/%,$<),-Ilabctl -Ilabctl/util,$(ALL_INC))))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -pthread
LDFLAGS += $(SANFLAGS)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
DEPFLAGS = -MMD -MP

# Three layers, each compiled with only its own include path and those
# below it, so an upward include cannot build (make check-layers says why).
UTIL_SRCS := \
	labctl/util/alloc.c \
	labctl/util/buf.c \
	labctl/util/err.c \
	labctl/util/fsutil.c \
	labctl/util/inet.c \
	labctl/util/interrupt.c \
	labctl/util/isotime.c \
	labctl/util/json-writer.c \
	labctl/util/pci-addr.c \
	labctl/util/quote.c \
	labctl/util/sha256.c \
	labctl/util/strv.c \
	labctl/util/suggest.c \
	labctl/util/sysfs.c \
	labctl/util/uri.c

CORE_SRCS := \
	labctl/addr.c \
	labctl/domcaps.c \
	labctl/graph.c \
	labctl/host-check.c \
	labctl/host-cpuinfo.c \
	labctl/host-facts.c \
	labctl/host-routes.c \
	labctl/host-vfs.c \
	labctl/hosts.c \
	labctl/image-cache.c \
	labctl/image-catalog.c \
	labctl/image-fetch.c \
	labctl/image-sink.c \
	labctl/journal.c \
	labctl/lab.c \
	labctl/lab-hosts.c \
	labctl/lab-snapshot.c \
	labctl/lab-ssh.c \
	labctl/lease.c \
	labctl/lease-remote.c \
	labctl/load.c \
	labctl/mac.c \
	labctl/model.c \
	labctl/pci-nodedev.c \
	labctl/pci-sysfs.c \
	labctl/pci.c \
	labctl/plan.c \
	labctl/proof.c \
	labctl/render.c \
	labctl/seed.c \
	labctl/seed-iso.c \
	labctl/templates.c \
	labctl/topology.c \
	labctl/tweak.c \
	labctl/validate.c \
	labctl/vf-alloc.c \
	labctl/vf-pool.c \
	labctl/virt-libvirt.c \
	labctl/workpool.c \
	labctl/yaml-doc.c

CMD_SRCS := \
	labctl/cmd/cmd-console.c \
	labctl/cmd/cmd-down.c \
	labctl/cmd/cmd-gc.c \
	labctl/cmd/cmd-graph.c \
	labctl/cmd/cmd-help.c \
	labctl/cmd/cmd-host.c \
	labctl/cmd/cmd-image.c \
	labctl/cmd/cmd-inventory.c \
	labctl/cmd/cmd-kinds.c \
	labctl/cmd/cmd-recreate.c \
	labctl/cmd/cmd-render.c \
	labctl/cmd/cmd-snapshot.c \
	labctl/cmd/cmd-ssh.c \
	labctl/cmd/cmd-status.c \
	labctl/cmd/cmd-up.c \
	labctl/cmd/cmd-validate.c \
	labctl/cmd/cmd.c

LIB_SRCS := $(UTIL_SRCS) $(CORE_SRCS) $(CMD_SRCS)

TESTS := \
	test-sha256 \
	test-util \
	test-json \
	test-sink \
	test-interrupt \
	test-yaml \
	test-catalog \
	test-topology \
	test-validate \
	test-render \
	test-vf \
	test-nodedev \
	test-hostcheck \
	test-virt \
	test-lab \
	test-proof \
	test-snapshot \
	test-seed \
	test-domcaps \
	test-hosts

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/liblabctl.a
BIN      := bin/labctl
TEST_BINS := $(TESTS:%=$(BUILD)/tests/%)

# bin/labctl is always the plain build; a sanitized one stays in build/san
ifeq ($(SANITIZE),1)
all: $(BUILD)/labctl-bin
else
all: $(BIN)
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(LAYER_INC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

# main.o alone knows where the data lives, so install rebuilds just it
$(BUILD)/labctl/cmd/main.o: labctl/cmd/main.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_INC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -DLC_DATADIR='"$(DATADIR)"' -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/labctl-bin: $(BUILD)/labctl/cmd/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN): $(BUILD)/labctl-bin
	@mkdir -p bin
	cp $< $@

$(BUILD)/tests/%.o: CPPFLAGS += $(CMOCKA_CFLAGS)
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

tests: $(TEST_BINS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: $(BIN) $(BUILD)/bench/vfbench $(BUILD)/bench/nodedevbench
	bench/render.sh
	bench/vfs.sh
	bench/nodedev.sh
	bench/pull.sh
	@if [ "$$(id -u)" = 0 ]; then bench/up.sh; else echo "bench/up.sh: skipped (needs root)"; fi

# sysfs-shaped fixture trees, built the way the kernel lays them out
FIXTURES := isolated shared-pairs host-shared two-numa kinds mixed
HOSTS := intel-good intel-bad intel-old amd-good amd-nonested noroot nopt nokvm novirt nodevkvm kvm600 \
	amd-noiommu hygon centaur nointeliommu kvm-novmx nosriov vf-hostshared acs-switch acs-nolink vmd
tests/out/sysfs/.stamp: tests/mksysfs.py
	rm -rf tests/out/sysfs tests/out/hosts && mkdir -p tests/out/sysfs tests/out/hosts
	for s in $(FIXTURES); do python3 tests/mksysfs.py $$s tests/out/sysfs/$$s \
		--nodedev tests/out/sysfs/$$s.nodedev.xml || exit 1; done
	for h in $(HOSTS); do python3 tests/mksysfs.py host $$h tests/out/hosts/$$h || exit 1; done
	touch $@

# Every suite, in this order, through one runner that counts passes, failures
# and skips (a suite that needs root or a daemon it cannot have exits 77) and
# ends with "N passed, N failed, N skipped"; under CI=true or LABCTL_NO_SKIP=1
# a skip fails. The scripts get the binary of this build (plain or sanitized).
SUITES := \
	tests/test-layers.sh \
	tests/test-links.sh \
	tests/test-docs.sh \
	tests/test-completion.sh \
	$(TEST_BINS) \
	tests/test-cli.sh \
	tests/test-schema.sh \
	tests/test-leases.sh \
	tests/test-nodedev-remote.sh \
	tests/test-fetch.sh \
	tests/test-e2e.sh \
	tests/test-snapshot.sh \
	tests/test-hosts.sh \
	tests/test-signals.sh \
	tests/test-crash.sh \
	tests/test-faults.sh
# the slowest end-to-end suites (every kind booted, hyperv under UEFI and
# TCG; debian nodes reached by ssh and Ansible) run once, in the plain
# check, not again under the sanitizers
ifneq ($(SANITIZE),1)
SUITES += tests/test-kinds.sh tests/test-access.sh tests/test-snapshot-debian.sh \
	tests/test-snapshot-hyperv.sh
SLOW_IMAGES := image-debian
endif

# the qemu:///system suites boot tiny: built first (as root; it downloads
# Debian's packages), skipped without root like those suites
check: deps check-layers $(BUILD)/labctl-bin $(TEST_BINS) tests/out/sysfs/.stamp
	$(if $(SAN_REPORTS),rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS))
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory tiny $(SLOW_IMAGES); fi
	LABCTL_SRCDIR=$(CURDIR) tests/run-suite.sh $(BUILD)/labctl-bin $(SUITES)
	$(if $(SAN_REPORTS),@if ls $(SAN_REPORTS) | grep -q .; then cat $(SAN_REPORTS)/*; \
		echo "check: sanitizer reports above" >&2; exit 1; fi; echo "sanitizers: no report")

# The image suites: debian-xen built (as root) and one Xen node booted to
# its L2 (tests/test-xen.sh). Not in check: a dom0 here takes far longer
# to boot than the time check can give it (README, "The debian-xen image").
check-images: deps $(BUILD)/labctl-bin
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory tiny image-debian-xen; fi
	LABCTL_SRCDIR=$(CURDIR) tests/run-suite.sh $(BUILD)/labctl-bin tests/test-xen.sh

# util/ includes only util/, only cmd/ includes cmd/, one file each for
# libvirt and curl (the build's per-layer include paths enforce the first two too)
check-layers:
	tests/check-layers.sh labctl

# what the build and the tests need (Debian packages, as root); a no-op when present
deps:
	tests/install-deps.sh

# The unit and in-process tests under memcheck: any error or leak fails. A
# forked child that only exits (a dead pid for the lease tests) is not checked.
valgrind: $(TEST_BINS) tests/out/sysfs/.stamp
	for t in $(TEST_BINS); do \
		LABCTL_SRCDIR=$(CURDIR) valgrind -q --error-exitcode=1 --leak-check=full --child-silent-after-fork=yes $$t >/dev/null || exit 1; \
	done
	@echo "valgrind: $(words $(TEST_BINS)) test programs clean"

# libFuzzer harnesses (clang): the topology parser + validator, the XML tweaks.
# Seeds: the example and test topologies, and tests/fuzz/seeds-tweak.
FUZZ_SECONDS ?= 60
FUZZ := build/fuzz
FUZZ_CFLAGS := -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ)/%.o)

$(FUZZ)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(LAYER_INC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ)/liblabctl.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ)/liblabctl.a
	clang $(ALL_INC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ)/liblabctl.a $(LDLIBS)

fuzz: $(FUZZ)/fuzz-topology $(FUZZ)/fuzz-tweak
	mkdir -p $(FUZZ)/corpus-topology $(FUZZ)/corpus-tweak $(FUZZ)/findings
	cp topologies/*.yaml tests/fixtures/*.yaml $(FUZZ)/corpus-topology/
	cp tests/fuzz/seeds-tweak/* $(FUZZ)/corpus-tweak/
	$(FUZZ)/fuzz-topology -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/yaml.dict \
		-artifact_prefix=$(FUZZ)/findings/topology- -print_final_stats=1 $(FUZZ)/corpus-topology
	$(FUZZ)/fuzz-tweak -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ)/findings/tweak- -print_final_stats=1 $(FUZZ)/corpus-tweak

INSTALL_DATADIR = $(PREFIX)/share/labctl

install: $(LIB)
	@mkdir -p $(BUILD)/install
	$(CC) $(ALL_INC) $(CPPFLAGS) $(CFLAGS) -DLC_DATADIR='"$(INSTALL_DATADIR)"' -c -o $(BUILD)/install/main.o labctl/cmd/main.c
	$(CC) $(LDFLAGS) -o $(BUILD)/install/labctl $(BUILD)/install/main.o $(LIB) $(LDLIBS)
	install -D -m 0755 $(BUILD)/install/labctl $(DESTDIR)$(PREFIX)/bin/labctl
	install -d $(DESTDIR)$(INSTALL_DATADIR)/templates $(DESTDIR)$(INSTALL_DATADIR)/images
	install -m 0644 templates/*.xml $(DESTDIR)$(INSTALL_DATADIR)/templates/
	install -m 0644 images/catalog.yaml $(DESTDIR)$(INSTALL_DATADIR)/images/
	install -D -m 0644 docs/labctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/labctl.1
	install -D -m 0644 completion/labctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/labctl
	# the catalog's tiny entry points beside it: install it when it was built
	if [ -f images/tiny/SHA256SUMS ]; then \
		install -d $(DESTDIR)$(INSTALL_DATADIR)/images/tiny && \
		install -m 0644 images/tiny/* $(DESTDIR)$(INSTALL_DATADIR)/images/tiny/; fi
	for i in debian debian-xen; do \
		if [ -f images/$$i/SHA256SUMS ]; then \
			install -d $(DESTDIR)$(INSTALL_DATADIR)/images/$$i && \
			install -m 0644 images/$$i/* $(DESTDIR)$(INSTALL_DATADIR)/images/$$i/ || exit 1; fi; \
	done

# The tiny image (kernel + busybox initramfs + base disk) from Debian's packages.
tiny: images/tiny/SHA256SUMS
images/tiny/SHA256SUMS: images/build-tiny.sh images/l2probe.c
	images/build-tiny.sh

# The debian image (Debian 12, cloud-init, ssh, QEMU/KVM) with mmdebstrap,
# as root; images/l2probe.c goes into it when present. check builds it (as
# root) for tests/test-access.sh.
image-debian: images/debian/SHA256SUMS
images/debian/SHA256SUMS: images/build-debian.sh $(wildcard images/l2probe.c)
	images/build-debian.sh

# The debian-xen image (Debian 12 as a Xen 4.17 dom0 on a BIOS GRUB disk, an
# L2 kit) with the debian image's builder and its xen variant, as root.
# check-images builds it (as root) for tests/test-xen.sh.
image-debian-xen: images/debian-xen/SHA256SUMS
images/debian-xen/SHA256SUMS: images/build-debian-xen.sh images/debian-xen-parts.sh images/build-debian.sh
	tests/install-deps.sh
	images/build-debian-xen.sh

# The README's first command: a fresh Debian machine, as root, to a lab and back.
demo:
	tests/install-deps.sh
	$(MAKE) --no-print-directory all tiny
	tests/start-libvirt.sh
	bin/labctl up topologies/demo.yaml --wait=300 || { bin/labctl down demo; exit 1; }
	bin/labctl status demo
	bin/labctl down demo

format:
	clang-format -i labctl/*.[ch] labctl/util/*.[ch] labctl/cmd/*.[ch] tests/*.c tests/*.h bench/*.c images/*.c

clean:
	rm -rf build bin

.PHONY: all check check-images check-layers deps tests bench valgrind fuzz install demo tiny image-debian image-debian-xen format clean
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
