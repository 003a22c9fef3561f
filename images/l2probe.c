/*
 * l2probe: the tiny image's proof that its L1 is a working hypervisor, not
 * just a CPU flag (issue 13). Through /dev/kvm it creates a VM with one
 * vCPU and a page of memory holding a real-mode L2 guest that computes a
 * value, writes it to an I/O port and halts; then checks both exits.
 *
 * Prints one word on stdout, the boot line's l2= value: "ok", or
 * "fail-REASON" (README, "What l2= says"), and its own time on stderr.
 * Exits 0 on ok, 1 otherwise. Built static by images/build-tiny.sh against
 * the build host's <linux/kvm.h>; runs as PID 1's child in a busybox
 * initramfs, so it needs nothing but the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_ADDR 0x1000
#define PROBE_PORT 0x10
#define TIMEOUT_S  20

/*
 * mov ax, 0x1234; add ax, 0x3a1e; out 0x10, ax; hlt -- the L2 computes
 * 0x4c52, so a value that arrives proves it executed, not just that the
 * exit was taken.
 */
static const uint8_t guest_code[] = {0xb8, 0x34, 0x12, 0x05, 0x1e, 0x3a, 0xe7, PROBE_PORT, 0xf4};
#define WANT_VALUE 0x4c52

static char why[128];
static volatile sig_atomic_t alarm_fired;

/* only there to interrupt KVM_RUN with EINTR (installed without SA_RESTART) */
static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *fail(const char *reason, const char *what)
{
	snprintf(why, sizeof(why), "%s", what);
	return reason;
}

/* One KVM_RUN: 0, or -1 with errno (EINTR once the alarm fired). */
static int run_once(int vcpu)
{
	while (ioctl(vcpu, KVM_RUN, 0) < 0)
		if (errno != EINTR || alarm_fired)
			return -1;
	return 0;
}

static const char *unexpected_exit(const char *when, uint32_t reason)
{
	/* KVM_EXIT_FAIL_ENTRY, _INTERNAL_ERROR, _SHUTDOWN...: the number is in linux/kvm.h */
	snprintf(why, sizeof(why), "%s exit reason %u", when, reason);
	return "fail-exit";
}

static const char *probe(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail(errno == ENOENT ? "fail-nodevkvm" : "fail-open", strerror(errno));
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return fail("fail-api", "KVM_GET_API_VERSION is not 12");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("fail-createvm", strerror(errno));
	void *mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("fail-vcpu", "mmap of guest memory");
	memcpy(mem, guest_code, sizeof(guest_code));
	struct kvm_userspace_memory_region region = {
	    .slot = 0,
	    .guest_phys_addr = GUEST_ADDR,
	    .memory_size = 0x1000,
	    .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("fail-createvm", "KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("fail-vcpu", strerror(errno));
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		return fail("fail-vcpu", "KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run =
	    mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("fail-vcpu", "mmap of kvm_run");
	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("fail-vcpu", "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("fail-vcpu", "KVM_SET_SREGS");
	struct kvm_regs regs = {.rip = GUEST_ADDR, .rflags = 0x2};
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("fail-vcpu", "KVM_SET_REGS");

	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	alarm(TIMEOUT_S);
	if (run_once(vcpu) < 0)
		return alarm_fired ? fail("fail-timeout", "the L2 did not exit")
				   : fail("fail-run", strerror(errno));
	if (run->exit_reason != KVM_EXIT_IO)
		return unexpected_exit("first", run->exit_reason);
	uint16_t got = 0;
	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != PROBE_PORT ||
	    run->io.size != 2 || run->io.count != 1)
		return fail("fail-value", "wrong port, size or direction");
	memcpy(&got, (const char *)run + run->io.data_offset, sizeof(got));
	if (got != WANT_VALUE) {
		snprintf(why, sizeof(why), "the L2 wrote 0x%x, not 0x%x", got, WANT_VALUE);
		return "fail-value";
	}
	if (run_once(vcpu) < 0)
		return alarm_fired ? fail("fail-timeout", "the L2 did not halt")
				   : fail("fail-run", strerror(errno));
	alarm(0);
	if (run->exit_reason != KVM_EXIT_HLT)
		return unexpected_exit("second", run->exit_reason);
	return "ok";
}

int main(void)
{
	double t0 = now_s();
	const char *l2 = probe();
	double ms = (now_s() - t0) * 1000;
	printf("%s\n", l2);
	if (why[0])
		fprintf(stderr, "l2probe: %s (%s) in %.1f ms\n", l2, why, ms);
	else
		fprintf(stderr, "l2probe: %s in %.1f ms\n", l2, ms);
	return strcmp(l2, "ok") != 0;
}
