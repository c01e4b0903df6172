/* stap's errors about a generated script, mapped back to the spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain/explain.h"

static char dir[] = "/tmp/stapgen-explain-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *run(const char *stap_err, int *mapped)
{
	char map[256], *out = NULL;
	size_t outlen = 0;
	snprintf(map, sizeof map, "%s/t.stp.map", dir);
	FILE *in = fmemopen((void *)stap_err, strlen(stap_err), "r");
	FILE *o = open_memstream(&out, &outlen);
	*mapped = explain_stap_errors(map, in, o);
	fclose(in);
	fclose(o);
	return out;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	char spec[128], map[512];
	snprintf(spec, sizeof spec, "%s/t.yaml", dir);
	write_file("t.yaml",
		   "tool: t\n"
		   "probes:\n"
		   "  - on: kernel.function(\"nosuch_fn\")\n"
		   "    let:\n"
		   "      port: '@cast(sk, \"sock\", \"kernel\")->__sk_commn->skc_num'\n");
	/* script line 10 cols 9-58 came from the let; line 8 from the probe point */
	snprintf(map, sizeof map, "8:7-8:34\t%s:3:11:24\n10:9-10:58\t%s:5:14:49\n", spec, spec);
	write_file("t.stp.map", map);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_member_with_suggestion(void **state)
{
	(void)state;
	int n;
	char *out = run("WARNING: Kernel function symbol table missing [man warning::symbols]\n"
			"semantic error: unable to find member '__sk_commn' for struct sock "
			"(alternatives: __sk_common, sk_lock, sk_err): operator '->' at out/t.stp:10:36\n"
			"        source: \tport = @cast(sk, \"sock\", \"kernel\")->__sk_commn->skc_num\n",
			&n);
	assert_int_equal(n, 1);
	char want[1024];
	snprintf(want, sizeof want,
		 "%s/t.yaml:5:43: error: stap: unable to find member '__sk_commn' for struct sock; did you mean '__sk_common'?\n"
		 "        port: '@cast(sk, \"sock\", \"kernel\")->__sk_commn->skc_num'\n"
		 "                                            ^~~~~~~~~~\n",
		 dir);
	assert_string_equal(out, want);
	free(out);
}

static void test_probe_point(void **state)
{
	(void)state;
	int n;
	char *out = run("semantic error: while resolving probe point: identifier 'kernel' at /x/t.stp:8:7\n", &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "/t.yaml:3:11: error: stap: while resolving probe point\n"));
	free(out);
}

/* Never silent: what cannot be mapped is passed on as stap wrote it (an
 * error counts; stap's warnings and its "Pass 2" line alone do not). */
static void test_unmapped_and_other_files(void **state)
{
	(void)state;
	int n;
	char *out = run("WARNING: Kernel function symbol table missing [man warning::symbols]\n"
			"semantic error: something at /nonexistent/tapset/x.stp:3:4\n"
			"        source: \tfoo\n"
			"semantic error: elsewhere at out/t.stp:99:1\n"
			"Pass 2: analysis failed.  [man error::pass2]\n",
			&n);
	assert_int_equal(n, 2);
	assert_string_equal(out, "semantic error: something at /nonexistent/tapset/x.stp:3:4\n"
				 "        source: \tfoo\n"
				 "semantic error: elsewhere at out/t.stp:99:1\n");
	free(out);
	/* only the pass's failure: it is shown */
	out = run("Pass 4: compilation failed.  [man error::pass4]\n", &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "Pass 4: compilation failed.  [man error::pass4]\n");
	free(out);
	out = run("WARNING: only a warning\n", &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(explain_stap_errors("/nonexistent/x.stp.map", stdin, stdout), -1);
}

/* stap's list decides: "(similar: ...)" is ranked by stap, "(alternatives:
 * ...)" is searched with transpositions counted as one edit. */
static void test_suggestion_from_stap_list(void **state)
{
	(void)state;
	int n;
	char *out = run("semantic error: unable to find member 'nmae' for struct x "
			"(alternatives: dma, name, mode): operator '->' at t.stp:10:36\n",
			&n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "for struct x; did you mean 'name'?\n"));
	free(out);
	out = run("WARNING: never-assigned local variable 'nmae' (similar: name, mode, dfd, filename, flags): "
		  "identifier 'nmae' at t.stp:10:36\n",
		  &n);
	assert_int_equal(n, 0);
	assert_non_null(strstr(out, ": warning: stap: never-assigned local variable 'nmae'; did you mean 'name'?\n"));
	free(out);
}

/* ":L:C" without a file is stap's "the file named last". */
static void test_elided_file(void **state)
{
	(void)state;
	int n;
	char *out = run("WARNING: never-assigned local variable 'port': identifier 'port' at t.stp:10:36\n"
			"semantic error: unresolved type : identifier 'port' at :10:36\n",
			&n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(out, "/t.yaml:5:14: error: stap: unresolved type\n"));
	free(out);
}

/* An error inside `probe dw_syscall.openat = ...` of a tapset file: the
 * spec probes syscall.openat, whose alias reaches it; an error in a tapset
 * definition the spec does not use is only passed on. */
static void test_tapset_alias_prefix(void **state)
{
	(void)state;
	char spec[128], map[256], path[160];
	snprintf(spec, sizeof spec, "%s/s.yaml", dir);
	write_file("s.yaml", "tool: s\nprobes:\n  - on: syscall.openat\n");
	snprintf(map, sizeof map, "17:7-17:21\t%s:3:9:14\n", spec);
	write_file("s.stp.map", map);
	write_file("sysc_openat.stp",
		   "# stand-in\n"
		   "probe dw_syscall.openat = kernel.function(\"sys_openat\").call\n"
		   "{\n"
		   "\tname = \"openat\"\n"
		   "}\n"
		   "function other:long()\n"
		   "{\n"
		   "\treturn 1\n"
		   "}\n");
	char err[1024];
	snprintf(err, sizeof err,
		 "semantic error: not accessible at this address: identifier '$dfd' at %s/sysc_openat.stp:4:2\n"
		 "semantic error: unresolved: identifier 'x' at :8:9\n",
		 dir);
	snprintf(path, sizeof path, "%s/s.stp.map", dir);
	FILE *in = fmemopen(err, strlen(err), "r");
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	int n = explain_stap_errors(path, in, o);
	fclose(in);
	fclose(o);
	assert_int_equal(n, 2);
	char want[2048];
	snprintf(want, sizeof want,
		 "%s/s.yaml:3:9: error: stap: not accessible at this address (in tapset probe alias 'dw_syscall.openat', %s/sysc_openat.stp:4:2)\n"
		 "    - on: syscall.openat\n"
		 "          ^~~~~~~~~~~~~~\n"
		 "semantic error: not accessible at this address: identifier '$dfd' at %s/sysc_openat.stp:4:2\n"
		 "semantic error: unresolved: identifier 'x' at :8:9\n",
		 dir, dir, dir);
	assert_string_equal(out, want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_with_suggestion),
		cmocka_unit_test(test_probe_point),
		cmocka_unit_test(test_unmapped_and_other_files),
		cmocka_unit_test(test_suggestion_from_stap_list),
		cmocka_unit_test(test_elided_file),
		cmocka_unit_test(test_tapset_alias_prefix),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
