/* stapgen_rt_main.c - the parser's command line: sg_main and sg_main_svg
 * read the options, open the input and output, and run the reader into a
 * writer (stapgen_rt.c) of the chosen format. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fileno */
#endif

#include "stapgen_rt_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct sg_format_info {
    const char *name;
    int stack_only;
    const char *what;
} sg_formats[] = {
#define SG_FMT_INFO(e, name, stack, what) {name, stack, what},
    SG_FORMATS(SG_FMT_INFO)
#undef SG_FMT_INFO
};

/* "table|json|..." or "table, json ... or svg" */
static void format_names(FILE *f, const char *sep, const char *last)
{
    size_t i;
    for (i = 0; i < SG_NFORMATS; i++)
        fprintf(f, "%s%s", i == 0 ? "" : i + 1 == SG_NFORMATS ? last : sep, sg_formats[i].name);
}

static void usage(FILE *f, const char *prog, const sg_tool *tool)
{
    size_t i;
    fprintf(f, "usage: %s [-f ", prog);
    format_names(f, "|", "|");
    fprintf(f,
            "] [-o FILE] [FILE|-]\n"
            "Reads the output of the SystemTap tool '%s'%s%s%s from FILE (default: standard\n"
            "input) and prints its records.\n",
            tool && tool->name ? tool->name : "?",
            tool && tool->spec_path ? " (spec " : "", tool && tool->spec_path ? tool->spec_path : "",
            tool && tool->spec_path ? ")" : "");
    for (i = 0; i < SG_NFORMATS; i++)
        fprintf(f, "%s%s%s: %s\n", i ? "                     " : "  -f, --format FMT   ",
                sg_formats[i].name, i ? "" : " (default)", sg_formats[i].what);
    fputs("  -o, --output FILE  write to FILE instead of standard output\n"
          "svg (flame graphs: click a frame to zoom, Search to highlight):\n"
          "  --width N          image width in pixels (default 1200)\n"
          "  --inverted         icicle graph: roots at the top\n"
          "  --title TEXT       title (default: the tool's name)\n"
          "  --subtitle TEXT    a line under the title (the tool command: its options)\n"
          "  --unit UNIT        what the counts count (default: samples, or the time unit\n"
          "                     of the tool's count field, e.g. us: off-CPU colours)\n"
          "  --from-folded      FILE holds folded stacks ('frame;...;frame COUNT' lines\n"
          "                     from any tool), not the tool's output; implies -f svg\n"
          "  --diff A B         differential flame graph of folded files A -> B: widths\n"
          "                     from B, red where B grew, blue where it shrank\n"
          "  --normalize        with --diff: A's counts scaled to B's total first\n"
          "  --stap-log FILE    read stap's stderr saved in FILE (- for stdin), not records:\n"
          "                     print a line per kind of data stap lost (transport\n"
          "                     failures, skipped probes, errors, full maps, a run\n"
          "                     stopped early); exit 5 if any, else 0\n"
          "  --armed FILE       create FILE when the script's first record (@stapgen,\n"
          "                     from its begin probe) arrives: the probes are armed\n"
          "  -h, --help         show this help\n"
          "Lines that are not valid records are dropped and reported on stderr.\n"
          "Exit status: 0 all lines were records and the run's end report (@end) came,\n"
          "3 some lines were dropped, 4 the input ended before @end (a run cut off:\n"
          "figures incomplete; before 3), 5 (--stap-log) stap lost data, 2 usage\n"
          "error, 1 I/O error.\n",
          f);
}

/* Matches option a against short -x / long --name; takes its value from
 * "-xVAL", "--name=VAL" or the next argument.  1 matched, 0 not, -1 no value. */
static int opt_val(int argc, char **argv, int *i, char s, const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t ll = strlen(lng);
    if (s && a[0] == '-' && a[1] == s) {
        if (a[2]) {
            *val = a + 2;
            return 1;
        }
    } else if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, lng, ll) == 0 &&
               (a[2 + ll] == '\0' || a[2 + ll] == '=')) {
        if (a[2 + ll] == '=') {
            *val = a + 3 + ll;
            return 1;
        }
    } else {
        return 0;
    }
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* --from-folded FILE / --diff A B */
static int svg_folded_main(const char *prog, const sg_svg_opts *so, const char *pa, const char *pb,
                           const char *outpath)
{
    FILE *a = stdin, *b = NULL, *out = stdout;
    const char *an = "<stdin>";
    int rc;
    if (pa && strcmp(pa, "-") != 0) {
        if (!(a = fopen(pa, "rb"))) {
            fprintf(stderr, "%s: cannot open '%s': %s\n", prog, pa, strerror(errno));
            return 1;
        }
        an = pa;
    }
    if (pb && !(b = strcmp(pb, "-") == 0 && a != stdin ? stdin : fopen(pb, "rb"))) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", prog, pb, strerror(errno));
        if (a != stdin)
            fclose(a);
        return 1;
    }
    if (outpath && strcmp(outpath, "-") != 0 && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, "%s: cannot create '%s': %s\n", prog, outpath, strerror(errno));
        rc = 1;
    } else {
        rc = sg_svg_folded(out, so, a, an, b, b == stdin ? "<stdin>" : pb, stderr);
        if (fflush(out) != 0 || ferror(out)) {
            fprintf(stderr, "%s: write error\n", prog);
            rc = 1;
        }
        if (out != stdout && fclose(out) != 0) {
            fprintf(stderr, "%s: write error on '%s'\n", prog, outpath);
            rc = 1;
        }
    }
    if (a != stdin)
        fclose(a);
    if (b && b != stdin)
        fclose(b);
    return rc;
}

/* --stap-log FILE */
static int stap_log_main(const char *prog, const char *path)
{
    FILE *f = stdin;
    int rc;
    if (strcmp(path, "-") != 0 && !(f = fopen(path, "rb"))) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path, strerror(errno));
        return 1;
    }
    rc = sg_stap_log(f, prog, stderr);
    if (rc == 1)
        fprintf(stderr, "%s: %s: read error\n", prog, f == stdin ? "<stdin>" : path);
    if (f != stdin)
        fclose(f);
    return rc;
}

int sg_main(int argc, char **argv, const sg_tool *tool)
{
    return sg_main_svg(argc, argv, tool, NULL);
}

int sg_main_svg(int argc, char **argv, const sg_tool *tool, const sg_svg_opts *svg)
{
    return sg_main_code(argc, argv, tool, svg, NULL);
}

int sg_main_code(int argc, char **argv, const sg_tool *tool, const sg_svg_opts *svg,
                 const sg_kind_code *code)
{
    const char *prog = argc > 0 && argv && argv[0] && argv[0][0] ? argv[0] : "stapgen-parser";
    const char *outpath = NULL, *inpath = NULL, *in_name;
    sg_format fmt = SG_FMT_TABLE;
    FILE *in = stdin, *out = stdout;
    sg_reader *r;
    /* messages name the program as a user calls it, not where it lives */
    if (strrchr(prog, '/') && strrchr(prog, '/')[1])
        prog = strrchr(prog, '/') + 1;
    sg_writer *w;
    const sg_kind *k;
    const sg_value *v;
    int i, only_files = 0, rc = 0, live = 1, from_folded = 0, svg_opt = 0;
    const char *diff_a = NULL, *diff_b = NULL, *staplog = NULL, *armed = NULL;
    sg_svg_opts so;
    struct stat st;

    if (svg)
        so = *svg;
    else
        memset(&so, 0, sizeof so);

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int m;
        if (only_files || a[0] != '-' || a[1] == '\0') {
            if (inpath) {
                fprintf(stderr, "%s: too many input files ('%s')\n", prog, a);
                goto usage_err;
            }
            inpath = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout, prog, tool);
            return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
        }
        if ((m = opt_val(argc, argv, &i, 'f', "format", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            for (m = 0; m < (int)SG_NFORMATS && strcmp(val, sg_formats[m].name) != 0; m++)
                ;
            if (m == (int)SG_NFORMATS) {
                fprintf(stderr, "%s: unknown format '%s' (", prog, val);
                format_names(stderr, ", ", " or ");
                fputs(")\n", stderr);
                goto usage_err;
            }
            fmt = (sg_format)m;
            continue;
        }
        if (strcmp(a, "--inverted") == 0) {
            so.inverted = 1;
            svg_opt = 1;
            continue;
        }
        if (strcmp(a, "--normalize") == 0) {
            so.normalize = 1;
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "stap-log", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            staplog = val;
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "armed", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            armed = val;
            continue;
        }
        if (strcmp(a, "--from-folded") == 0) {
            from_folded = 1;
            continue;
        }
        if (strcmp(a, "--diff") == 0) {
            if (i + 2 >= argc) {
                fprintf(stderr, "%s: option '--diff' needs two folded files\n", prog);
                goto usage_err;
            }
            diff_a = argv[++i];
            diff_b = argv[++i];
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "width", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "title", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "subtitle", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "unit", &val)) != 0) {
            const char *o = strncmp(a, "--width", 7) == 0      ? "width"
                            : strncmp(a, "--title", 7) == 0    ? "title"
                            : strncmp(a, "--subtitle", 10) == 0 ? "subtitle"
                                                               : "unit";
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            svg_opt = 1;
            if (o[0] == 'w') {
                char *e;
                long n;
                errno = 0;
                n = strtol(val, &e, 10);
                if (e == val || *e || errno || n < 100 || n > 1000000) {
                    fprintf(stderr, "%s: --width takes a number of pixels from 100 to 1000000\n",
                            prog);
                    goto usage_err;
                }
                so.width = (int)n;
            } else if (o[0] == 't') {
                so.title = val;
            } else if (o[0] == 's') {
                so.subtitle = val;
            } else {
                /* a word: the script finds a frame's name before the last
                 * " (" of its tooltip */
                size_t j, n = strlen(val);
                for (j = 0; j < n && (isalnum((unsigned char)val[j]) || strchr("_./-", val[j])); j++)
                    ;
                if (!n || j < n || n > 16) {
                    fprintf(stderr, "%s: --unit takes a word of up to 16 letters, digits, '_', '.', "
                                    "'/' or '-'\n", prog);
                    goto usage_err;
                }
                so.unit = val;
            }
            continue;
        }
        if ((m = opt_val(argc, argv, &i, 'o', "output", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            outpath = val;
            continue;
        }
        fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
        goto usage_err;
    }

    if (svg_opt && !from_folded && !diff_a && fmt != SG_FMT_SVG) {
        fprintf(stderr, "%s: --width, --inverted, --title, --subtitle and --unit are for -f svg\n",
                prog);
        goto usage_err;
    }
    if ((from_folded || diff_a) && fmt != SG_FMT_TABLE && fmt != SG_FMT_SVG) {
        fprintf(stderr, "%s: --from-folded and --diff draw svg only\n", prog);
        goto usage_err;
    }
    if (so.normalize && !diff_a) {
        fprintf(stderr, "%s: --normalize is for --diff\n", prog);
        goto usage_err;
    }
    if (diff_a && (from_folded || inpath)) {
        fprintf(stderr, "%s: --diff A B takes no other input\n", prog);
        goto usage_err;
    }
    if (staplog) {
        if (inpath || from_folded || diff_a || outpath) {
            fprintf(stderr, "%s: --stap-log FILE takes no other input or output\n", prog);
            goto usage_err;
        }
        return stap_log_main(prog, staplog);
    }
    if (from_folded || diff_a) {
        if (!so.title)
            so.title = diff_a ? "Differential flame graph" : "Flame graph";
        return svg_folded_main(prog, &so, diff_a ? diff_a : inpath, diff_b, outpath);
    }
    if (inpath && strcmp(inpath, "-") != 0) {
        in = fopen(inpath, "rb");
        if (!in) {
            fprintf(stderr, "%s: cannot open '%s': %s\n", prog, inpath, strerror(errno));
            return 1;
        }
        in_name = inpath;
    } else {
        in_name = "<stdin>";
    }
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
        live = 0; /* a file: no need to flush after every record */
    if (outpath && strcmp(outpath, "-") != 0) {
        out = fopen(outpath, "w");
        if (!out) {
            fprintf(stderr, "%s: cannot create '%s': %s\n", prog, outpath, strerror(errno));
            if (in != stdin)
                fclose(in);
            return 1;
        }
    }
    r = sg_reader_new(in, in_name, tool, stderr);
    w = sg_writer_new(out, tool, fmt);
    sg_writer_svg(w, &so);
    if (r && w) {
        sg_writer_reader(w, r);
        sg_reader_code(r, code);
        sg_writer_code(w, code);
    }
    if (!r || !w) {
        fprintf(stderr, "%s: cannot start (out of memory or bad tool descriptor)\n", prog);
        rc = 1;
    } else {
        for (;;) {
            /* a live stream: what is printed goes out before a read waits */
            if (live && !sg_reader_ready(r))
                sg_writer_flush(w);
            if (!sg_reader_next(r, &k, &v))
                break;
            if (armed && k == &sg_kind_stapgen) {
                /* the script's first record, from its begin probe: the
                 * probes are armed; the tool command waits for FILE */
                int fd = open(armed, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd >= 0)
                    close(fd);
                armed = NULL;
            }
            sg_writer_record(w, k, v);
        }
        sg_writer_finish(w);
        if (sg_reader_error(r)) {
            fprintf(stderr, "%s: %s: read error\n", prog, in_name);
            rc = 1;
        } else if (sg_writer_error(w)) {
            fprintf(stderr, "%s: out of memory, output incomplete\n", prog);
            rc = 1;
        } else if (!sg_reader_ended(r)) {
            /* what was read is printed; the figures lack the end report */
            if (!sg_reader_lines(r))
                fprintf(stderr, "%s: %s: the input is empty: the script printed nothing (no "
                                "@stapgen, no end report @end); no figures\n", prog, in_name);
            else
                fprintf(stderr, "%s: %s: input ended before the script's end report (@end): "
                                "the run was cut off; figures are incomplete\n", prog, in_name);
            rc = SG_EXIT_CUT;
        } else if (sg_reader_dropped(r)) {
            rc = SG_EXIT_DROPPED;
        }
    }
    sg_writer_free(w);
    sg_reader_free(r);
    if (in != stdin)
        fclose(in);
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "%s: write error\n", prog);
        rc = 1;
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "%s: write error on '%s'\n", prog, outpath);
        rc = 1;
    }
    return rc;

usage_err:
    fprintf(stderr, "usage: %s [-f ", prog);
    format_names(stderr, "|", "|");
    fputs("] [-o FILE] [FILE|-]  (--help for more)\n", stderr);
    return 2;
}
