/* Kernel releases as distributions and users write them parse to their
 * version (kver_parse: the KVER the generator picks alternatives for), and
 * match kernel: ranges as that version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "spec/kver.h"

static void parses_as(const char *release, unsigned a, unsigned b, unsigned c)
{
	unsigned v[3] = { 9, 9, 9 };
	if (!kver_parse(release, v) || v[0] != a || v[1] != b || v[2] != c)
		fail_msg("%s: parsed as %u.%u.%u, expected %u.%u.%u", release, v[0], v[1], v[2], a, b, c);
}

static void test_releases(void **state)
{
	(void)state;
	/* RHEL and its rebuilds, Oracle UEK, Amazon Linux, Fedora */
	parses_as("2.6.32-754.35.1.el6.x86_64", 2, 6, 32);
	parses_as("3.10.0-957.27.2.el7.x86_64", 3, 10, 0);
	parses_as("3.10.0-1160.el7.x86_64", 3, 10, 0);
	parses_as("4.18.0-513.5.1.el8_9.x86_64", 4, 18, 0);
	parses_as("5.14.0-362.8.1.el9_3.x86_64", 5, 14, 0);
	parses_as("5.14.0-391.el9.aarch64", 5, 14, 0);
	parses_as("5.15.0-200.131.27.el9uek.x86_64", 5, 15, 0);
	parses_as("5.10.205-195.804.amzn2.x86_64", 5, 10, 205);
	parses_as("6.5.6-300.fc39.x86_64", 6, 5, 6);
	/* Ubuntu, Debian, SUSE, Arch */
	parses_as("5.15.0-91-generic", 5, 15, 0);
	parses_as("5.15.0-1051-azure", 5, 15, 0);
	parses_as("6.5.0-14-lowlatency", 6, 5, 0);
	parses_as("4.19.0-26-amd64", 4, 19, 0);
	parses_as("6.1.0-18-amd64", 6, 1, 0);
	parses_as("6.1.0-56-cloud-amd64", 6, 1, 0);
	parses_as("6.12.117+deb12-cloud-amd64", 6, 12, 117);
	parses_as("6.7.12+bpo-amd64", 6, 7, 12);
	parses_as("5.14.21-150500.55.39-default", 5, 14, 21);
	parses_as("6.6.7-arch1-1", 6, 6, 7);
	/* as users write them for make tools KVER= */
	parses_as("3.10.0-957", 3, 10, 0);
	parses_as("3.10.0", 3, 10, 0);
	parses_as("3.10", 3, 10, 0);
	parses_as("6.12", 6, 12, 0);
	parses_as("6.8.0-rc3", 6, 8, 0);
	parses_as("4.4.302.1", 4, 4, 302);
	parses_as("6.1.", 6, 1, 0);
	/* no version: the script is portable */
	static const char *const none[] = {
		"portable", "", "v6.1", "6", "6.", ".6.1", "6.1abc", "6.1.0abc", "6.1 ", "6,1",
		"99999999.1", "6.1.99999999",
	};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		unsigned v[3];
		if (kver_parse(none[i], v))
			fail_msg("'%s' parsed as %u.%u.%u", none[i], v[0], v[1], v[2]);
	}
}

static bool in_range(const char *range, const char *release)
{
	kver_range r;
	unsigned v[3];
	assert_true(kver_range_parse(range, &r));
	assert_true(kver_parse(release, v));
	return kver_range_match(&r, v);
}

static void test_ranges(void **state)
{
	(void)state;
	assert_true(in_range(">= 3.10, < 4.0", "3.10.0-957.27.2.el7.x86_64"));
	assert_false(in_range("< 3.10", "3.10.0-957"));
	assert_true(in_range(">= 4.4", "4.18.0-513.5.1.el8_9.x86_64"));
	assert_true(in_range(">= 4.4", "5.15.0-91-generic"));
	assert_false(in_range("< 6.12", "6.12.117+deb12-cloud-amd64"));
	assert_true(in_range("< 6.12", "6.1.0-56-cloud-amd64"));
	assert_true(in_range("> 6.1", "6.1.1-1-amd64"));
	assert_false(in_range("> 6.1", "6.1.0-18-amd64"));
	assert_true(in_range("== 5.14", "5.14.0-362.8.1.el9_3.x86_64"));
	assert_false(in_range("== 5.14", "5.14.21-150500.55.39-default"));
	assert_true(in_range(">= 5.14.21", "5.14.21-150500.55.39-default"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_releases),
		cmocka_unit_test(test_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
