/* Diagnostics: sorted by position with their notes and hints, the error
 * cap, colour and when to use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"

static const char text[] = "one\ntwo\nthree\nfour\n";

static srcloc at(const source *s, unsigned line, unsigned col)
{
	return (srcloc){ .src = s, .line = line, .col = col, .len = 1 };
}

typedef struct out {
	char *buf;
	size_t len;
	FILE *f;
} out;

static void test_sorted_with_notes_and_hints(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	const source *s = source_new(&a, "t.yaml", text, strlen(text));
	out o = { 0 };
	o.f = open_memstream(&o.buf, &o.len);
	diag_sink d;
	diag_init(&d, o.f);
	d.sorted = 1;
	diag_error(&d, at(s, 3, 2), "third");
	diag_note(&d, at(s, 1, 1), "note of third");
	diag_warning(&d, at(s, 2, 1), "second");
	diag_hint(&d, "hint of second");
	diag_error(&d, at(s, 1, 2), "first");
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.warnings, 1);
	fflush(o.f);
	assert_int_equal(o.len, 0);	/* nothing before the flush */
	diag_flush(&d);
	fclose(o.f);
	assert_string_equal(o.buf,
			    "t.yaml:1:2: error: first\n  one\n   ^\n"
			    "t.yaml:2:1: warning: second\n  two\n  ^\n"
			    "  hint: hint of second\n"
			    "t.yaml:3:2: error: third\n  three\n   ^\n"
			    "t.yaml:1:1: note: note of third\n  one\n  ^\n");
	free(o.buf);
	arena_free(&a);
}

/* The cap keeps the first errors by position, and their notes only. */
static void test_cap_after_sorting(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	const source *s = source_new(&a, "t.yaml", text, strlen(text));
	out o = { 0 };
	o.f = open_memstream(&o.buf, &o.len);
	diag_sink d;
	diag_init(&d, o.f);
	d.sorted = 1;
	d.max_errors = 1;
	diag_error(&d, at(s, 4, 1), "last");
	diag_note(&d, at(s, 1, 1), "note of last");
	diag_error(&d, at(s, 2, 1), "first");
	diag_flush(&d);
	fclose(o.f);
	assert_string_equal(o.buf, "t.yaml:2:1: error: first\n  two\n  ^\n"
				   "stapgen: too many errors, stopping output\n");
	free(o.buf);
	arena_free(&a);
}

static void test_colour(void **state)
{
	(void)state;
	arena a;
	arena_init(&a);
	const source *s = source_new(&a, "t.yaml", text, strlen(text));
	out o = { 0 };
	o.f = open_memstream(&o.buf, &o.len);
	diag_sink d;
	diag_init(&d, o.f);
	d.color = 1;
	diag_error(&d, at(s, 2, 2), "bad");
	diag_hint(&d, "fix");
	fclose(o.f);
	assert_string_equal(o.buf, "\033[1mt.yaml:2:2: \033[0m\033[1;31merror\033[0m: bad\n"
				   "  two\n   \033[1;32m^\033[0m\n"
				   "  \033[1;32mhint:\033[0m fix\n");
	free(o.buf);
	arena_free(&a);
}

/* --color=WHEN and NO_COLOR (https://no-color.org: set and not empty). */
static void test_colour_choice(void **state)
{
	(void)state;
	assert_int_equal(diag_color_choice("always", 0, "1"), 1);
	assert_int_equal(diag_color_choice("never", 1, NULL), 0);
	assert_int_equal(diag_color_choice("auto", 1, NULL), 1);
	assert_int_equal(diag_color_choice(NULL, 1, NULL), 1);
	assert_int_equal(diag_color_choice("auto", 0, NULL), 0);
	assert_int_equal(diag_color_choice("auto", 1, "1"), 0);
	assert_int_equal(diag_color_choice("auto", 1, ""), 1);
	assert_int_equal(diag_color_choice("sometimes", 1, NULL), -1);
}

/* "nmae" is one transposition from "name"; "dma" is two edits away. */
static void test_suggest_transposition(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("nmae", "name", 3), 1);
	assert_int_equal(edit_distance("nmae", "dma", 3), 2);
	assert_int_equal(edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(edit_distance("abc", "abc", 2), 0);
	assert_int_equal(edit_distance("ab", "ba", 2), 1);
	const char *cands[] = { "dma", "name", "mode" };
	assert_string_equal(diag_suggest("nmae", cands, 3), "name");
	assert_null(diag_suggest("zzzzzz", cands, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_with_notes_and_hints),
		cmocka_unit_test(test_cap_after_sorting),
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_colour_choice),
		cmocka_unit_test(test_suggest_transposition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
