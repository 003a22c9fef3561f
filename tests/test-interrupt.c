/*
 * The signal handlers main.c installs, each in a child process of its own:
 * a first SIGINT or SIGTERM is only recorded, so work can finish what is in
 * flight; a second SIGINT ends the process at once with 130; a vanished
 * libvirtd (SIGPIPE) is not a silent death.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "interrupt.h"

/* Runs body() in a child with the handlers installed; its exit status. */
static int in_child(void (*body)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		lc_interrupt_install();
		body();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Exit codes the children use to say which check failed. */
enum { NOT_RECORDED = 10, SURVIVED_SECOND = 11, WRONG_SIGNAL = 12 };

static void sigint_twice(void)
{
	if (lc_interrupted() != 0)
		_exit(WRONG_SIGNAL);
	raise(SIGINT);
	if (lc_interrupted() != SIGINT)
		_exit(NOT_RECORDED);
	raise(SIGINT);
	_exit(SURVIVED_SECOND);
}

static void sigterm_twice(void)
{
	raise(SIGTERM);
	if (lc_interrupted() != SIGTERM)
		_exit(NOT_RECORDED);
	/* only SIGINT is the impatient user's key; a supervisor's repeated
	 * SIGTERM still lets in-flight work finish */
	raise(SIGTERM);
	if (lc_interrupted() != SIGTERM)
		_exit(WRONG_SIGNAL);
}

static void sigterm_then_sigint(void)
{
	raise(SIGTERM);
	raise(SIGINT);
	_exit(SURVIVED_SECOND);
}

static void sigpipe(void)
{
	raise(SIGPIPE);
	if (lc_interrupted() != 0)
		_exit(WRONG_SIGNAL);
}

/* issue 15 #4: a command that changes nothing stops on the first signal */
static void immediate_sigterm(void)
{
	lc_interrupt_set_immediate(true);
	raise(SIGTERM);
	_exit(SURVIVED_SECOND);
}

static void immediate_sigint(void)
{
	lc_interrupt_set_immediate(true);
	raise(SIGINT);
	_exit(SURVIVED_SECOND);
}

/* render -o's writes: a signal is recorded while they run, and ends it once they are done */
static void deferred_then_immediate(void)
{
	lc_interrupt_set_immediate(true);
	lc_interrupt_set_immediate(false);
	raise(SIGTERM);
	if (lc_interrupted() != SIGTERM)
		_exit(NOT_RECORDED);
	lc_interrupt_set_immediate(true);
	_exit(SURVIVED_SECOND);
}

static void test_immediate(void **state)
{
	(void)state;
	assert_int_equal(in_child(immediate_sigterm), 128 + SIGTERM);
	assert_int_equal(in_child(immediate_sigint), 128 + SIGINT);
	assert_int_equal(in_child(deferred_then_immediate), 128 + SIGTERM);
}

static void test_second_sigint_exits_at_once(void **state)
{
	(void)state;
	assert_int_equal(in_child(sigint_twice), 128 + SIGINT);
}

static void test_sigterm_lets_work_finish(void **state)
{
	(void)state;
	assert_int_equal(in_child(sigterm_twice), 0);
}

static void test_sigint_after_sigterm_exits(void **state)
{
	(void)state;
	assert_int_equal(in_child(sigterm_then_sigint), 128 + SIGINT);
}

static void test_sigpipe_ignored(void **state)
{
	(void)state;
	assert_int_equal(in_child(sigpipe), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_second_sigint_exits_at_once),
	    cmocka_unit_test(test_sigterm_lets_work_finish),
	    cmocka_unit_test(test_sigint_after_sigterm_exits),
	    cmocka_unit_test(test_sigpipe_ignored),
	    cmocka_unit_test(test_immediate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
