/* plot.c - the gnuplot writer of reports/ (see plot.h). */
#include "reports/plot.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/sha256.h"
#include "sim/text.h"

void rpt_gnuplot_string(FILE *out, const char *s)
{
	/* In single quotes gnuplot expands nothing; a quote is doubled. No
	 * newline may break the line (the sanitiser's one-line mode makes
	 * them spaces); `set termoption noenhanced` keeps ^ _ @ and braces
	 * literal. */
	char *clean = sim_text_dup(s, SIM_TEXT_LINE);
	fputc('\'', out);
	for (const char *c = clean; *c; c++) {
		if (*c == '\'')
			fputc('\'', out);
		fputc(*c, out);
	}
	fputc('\'', out);
	free(clean);
}

void rpt_plot_add_line(struct plot *p, const struct series *s, const char *res,
		     const char *what, double scale)
{
	if (!s || p->n == 32)
		return;
	struct line *l = &p->l[p->n++];
	l->s = s;
	l->scale = scale;
	snprintf(l->label, sizeof(l->label), "%s %s", res, what);
}

void rpt_plot_add_limit(struct plot *p, double value, const char *label)
{
	if (p->n == 32)
		return;
	struct line *l = &p->l[p->n++];
	*l = (struct line){ .constant = value };
	snprintf(l->label, sizeof(l->label), "%s", label);
}

/* "TITLE - SUBTITLE" as one gnuplot string, the subtitle cut to 200 bytes
 * between two characters. */
static void gnuplot_title(FILE *g, const struct plot *p)
{
	char sub[201], t[600];
	sim_text_clean(sub, sizeof(sub), p->subtitle, SIM_TEXT_LINE);
	snprintf(t, sizeof(t), "%s%s%s", p->title, p->subtitle ? " - " : "", sub);
	rpt_gnuplot_string(g, t);
}

/* A note for the user on dr->notes (sanitised: it may quote the scenario
 * or gnuplot). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void rpt_note(struct rpt_draw *dr, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dr->notes)
		sim_text_fputs(msg, dr->notes, SIM_TEXT_LINES);
}

/* Records that `what` (a verb and a path: "write x/report.md") failed,
 * keeping errno (EIO when it says nothing); returns -1. */
int rpt_fail_to(struct rpt_draw *dr, const char *verb, const char *path)
{
	int e = errno ? errno : EIO;
	snprintf(dr->error, sizeof(dr->error), "%s %s", verb, path);
	errno = e;
	return -1;
}

/* plots/ under dir, made if missing. 0, or -1 (dr->error set). */
int rpt_plots_dir(struct rpt_draw *dr, const char *dir, char *pdir, size_t size)
{
	snprintf(pdir, size, "%s/plots", dir);
	if (mkdir(pdir, 0777) && errno != EEXIST)
		return rpt_fail_to(dr, "create", pdir);
	return 0;
}

/* Whether an executable named gnuplot is in a directory of $PATH (where
 * execlp looks; an empty entry is the current directory). */
bool rpt_gnuplot_on_path(void)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (true) {
		size_t len = strcspn(path, ":");
		char exe[4200];
		snprintf(exe, sizeof(exe), "%.*s%sgnuplot", (int)len, len ? path : ".",
			 len && path[len - 1] == '/' ? "" : "/");
		struct stat st;
		if (len < 4000 && !stat(exe, &st) && S_ISREG(st.st_mode) && !access(exe, X_OK))
			return true;
		if (!path[len])
			return false;
		path += len + 1;
	}
}

/* The last non-blank line gnuplot appended to log after offset `from`: its
 * error message ("x.gp" line 12: all points y value undefined!). */
static void last_message(const char *log, long from, char *why, size_t size)
{
	FILE *in = fopen(log, "r");
	char line[1024];
	why[0] = '\0';
	if (!in)
		return;
	if (!fseek(in, from, SEEK_SET))
		while (fgets(line, sizeof(line), in)) {
			size_t len = strcspn(line, "\r\n");
			while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
				len--;
			size_t start = strspn(line, " \t");
			if (len > start)
				snprintf(why, size, "%.*s", (int)(len - start), line + start);
		}
	fclose(in);
}

/* Runs gnuplot on NAME.gp in pdir, its messages appended to
 * pdir/gnuplot.log. True when it drew; false with why it did not. */
static bool run_gnuplot(const char *pdir, const char *name, char *why, size_t size)
{
	char log[4600], script[300];
	snprintf(log, sizeof(log), "%s/gnuplot.log", pdir);
	snprintf(script, sizeof(script), "%s.gp", name);
	struct stat st;
	long from = stat(log, &st) ? 0 : (long)st.st_size;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, size, "cannot start it: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		if (chdir(pdir) || !freopen("gnuplot.log", "a", stderr) ||
		    !freopen("/dev/null", "w", stdout))
			_exit(126);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(why, size, "cannot wait for it: %s", strerror(errno));
			return false;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	last_message(log, from, why, size);
	if (!why[0] && WIFEXITED(status))
		snprintf(why, size, "exit status %d", WEXITSTATUS(status));
	else if (!why[0])
		snprintf(why, size, "killed by signal %d", WTERMSIG(status));
	return false;
}

/* The first line of every script spillway writes: the SHA-256 of the rest
 * of the file. A script whose first line is missing or no longer matches
 * was edited (or written) by its user: `spillway report` keeps it. */
#define SCRIPT_SUM "# spillway sha256 "
#define SCRIPT_SUM_END ": the checksum of the rest of this script as spillway wrote it; edit freely, spillway report then keeps your version\n"

/* Whether the n bytes at text are a script as spillway wrote it. */
static bool script_is_ours(const char *text, size_t n)
{
	size_t k = sizeof(SCRIPT_SUM) - 1, e = sizeof(SCRIPT_SUM_END) - 1;
	if (n < k + 64 + e || memcmp(text, SCRIPT_SUM, k) ||
	    memcmp(text + k + 64, SCRIPT_SUM_END, e))
		return false;
	char hex[65];
	sim_sha256_mem(text + k + 64 + e, n - (k + 64 + e), hex);
	return !memcmp(hex, text + k, 64);
}

bool rpt_script_is_spillways(const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return false;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text), in);
	bool ok = !ferror(in) && n < sizeof(text) && script_is_ours(text, n);
	fclose(in);
	return ok;
}

/* Puts the script body (len bytes) at pdir/NAME.gp with its checksum line,
 * unless a script there is not as spillway wrote it: that one is kept and
 * used as it is (with a note). 0, or -1 (dr->error set). */
static int script_install(struct rpt_draw *dr, const char *pdir, const char *name,
			  const char *body, size_t len)
{
	char path[4600];
	snprintf(path, sizeof(path), "%s/%s.gp", pdir, name);
	FILE *in = fopen(path, "r");
	if (in) {
		/* Spillway's scripts are a few KB: a longer one is the user's. */
		static char old[1 << 16];
		size_t n = fread(old, 1, sizeof(old), in);
		int bad = ferror(in) ? (errno ? errno : EIO) : 0;
		fclose(in);
		if (bad) {
			errno = bad;
			return rpt_fail_to(dr, "read", path);
		}
		if (!script_is_ours(old, n)) {
			rpt_note(dr, "spillway: note: plots/%s.gp was edited: kept and used as it is "
			     "(remove it to get spillway's script back)\n", name);
			dr->kept++;
			return 0;
		}
	} else if (errno != ENOENT) {
		return rpt_fail_to(dr, "read", path);
	}
	char hex[65];
	sim_sha256_mem(body, len, hex);
	FILE *g = fopen(path, "w");
	if (!g)
		return rpt_fail_to(dr, "write", path);
	fprintf(g, "%s%s%s", SCRIPT_SUM, hex, SCRIPT_SUM_END);
	fwrite(body, 1, len, g);
	if (rpt_close(g))
		return rpt_fail_to(dr, "write", path);
	return 0;
}

/* Opens a script body in memory. */
static FILE *script_open(char **body, size_t *len)
{
	*body = NULL;
	FILE *g = open_memstream(body, len);
	if (!g)
		sim_out_of_memory(0);
	return g;
}

/* Installs the script g holds (closing g) and draws it unless gnuplot is
 * missing. 0, or -1 (dr->error set). */
static int script_draw(struct rpt_draw *dr, const char *pdir, struct plot *p, FILE *g,
		       char **body, size_t *len)
{
	if (fclose(g))
		sim_out_of_memory(*len);
	int rc = script_install(dr, pdir, p->name, *body, *len);
	free(*body);
	if (rc || dr->no_gnuplot)
		return rc;
	char why[256];
	p->drawn = run_gnuplot(pdir, p->name, why, sizeof(why));
	if (!p->drawn) {
		p->failed = true;
		dr->failed++;
		rpt_note(dr, "spillway: warning: gnuplot failed on plot %s (%s): %s; see plots/gnuplot.log\n",
		     p->name, p->title, why);
	}
	return 0;
}

/* The one gnuplot script writer: every plot's script is
 *
 *   # NAME: drawn by spillway from NAME.dat(SOURCE); restyle freely.
 *   PNG terminal and output, title, x label (when given), y label,
 *   then what the caller writes (settings and the plot command),
 *   SVG terminal and output, replot.
 *
 * script_begin opens the script in memory, written up to the y label. */
static FILE *script_begin(const struct plot *p, const char *source, const char *xlabel,
			  char **body, size_t *len)
{
	FILE *g = script_open(body, len);
	fprintf(g, "# %s: drawn by spillway from %s.dat%s; restyle freely.\n", p->name,
		p->name, source);
	fputs("set terminal pngcairo noenhanced size 960,480\n", g);
	fprintf(g, "set output '%s.png'\n", p->name);
	fputs("set title ", g);
	gnuplot_title(g, p);
	if (xlabel) {
		fputs("\nset xlabel ", g);
		rpt_gnuplot_string(g, xlabel);
	}
	fputs("\nset ylabel ", g);
	rpt_gnuplot_string(g, p->ylabel);
	return g;
}

/* Ends the script g (the SVG pass), installs it and draws it. 0, or -1
 * (dr->error set). */
static int script_end(struct rpt_draw *dr, const char *pdir, struct plot *p, FILE *g,
		      char **body, size_t *len)
{
	fputs("set terminal svg noenhanced size 960,480 dynamic\n", g);
	fprintf(g, "set output '%s.svg'\n", p->name);
	fputs("replot\n", g);
	return script_draw(dr, pdir, p, g, body, len);
}

/* A plot with no point gnuplot could draw is left out, with a note. */
static bool left_out(struct rpt_draw *dr, struct plot *p, bool any)
{
	if (any)
		return false;
	p->empty = true;
	dr->left_out++;
	rpt_note(dr, "spillway: note: plot %s (%s) left out: it has no valid point\n", p->name,
	     p->title);
	return true;
}

/* Opens pdir/NAME.dat for writing the plot's data (into path), when the
 * plot has any point to draw. NULL with *rc 0 when it is left out, or -1
 * when the file cannot be opened (dr->error set). */
static FILE *data_open(struct rpt_draw *dr, const char *pdir, struct plot *p, bool any,
		       char *path, size_t size, int *rc)
{
	*rc = 0;
	if (left_out(dr, p, any))
		return NULL;
	snprintf(path, size, "%s/%s.dat", pdir, p->name);
	FILE *d = fopen(path, "w");
	if (!d)
		*rc = rpt_fail_to(dr, "write", path);
	return d;
}

/* Closes the data file d (at path): 0, or -1 (dr->error set). */
static int data_close(struct rpt_draw *dr, FILE *d, const char *path)
{
	return rpt_close(d) ? rpt_fail_to(dr, "write", path) : 0;
}

/* A label for a .dat file: one line, in double quotes, none inside. */
static void data_label(FILE *d, const char *label)
{
	char *clean = sim_text_dup(label, SIM_TEXT_LINE);
	fputc('"', d);
	for (const char *c = clean; *c; c++)
		fputc(*c == '"' ? '\'' : *c, d);
	fputc('"', d);
	free(clean);
}

int rpt_plot_lines(struct rpt_draw *dr, const char *pdir, struct plot *p)
{
	const struct series *first = NULL;
	bool any = false;
	for (size_t i = 0; i < p->n; i++) {
		const struct line *l = &p->l[i];
		for (size_t k = 0; l->s && k < l->s->n && !any; k++)
			any = isfinite(l->s->v[k] * l->scale) && isfinite(l->s->t[k]);
		if (!first)
			first = l->s;
	}
	char path[4600];
	int rc;
	FILE *d = data_open(dr, pdir, p, any, path, sizeof(path), &rc);
	if (!d)
		return rc;
	fputs("# time_s", d);
	for (size_t i = 0; i < p->n; i++)
		fprintf(d, "\t%zu", i + 1);
	fputc('\n', d);
	for (size_t k = 0; first && k < first->n; k++) {
		fprintf(d, "%.9g", first->t[k]);
		for (size_t i = 0; i < p->n; i++) {
			const struct line *l = &p->l[i];
			double v = l->s ? (k < l->s->n ? l->s->v[k] * l->scale : NAN) : l->constant;
			fprintf(d, "\t%.10g", v);
		}
		fputc('\n', d);
	}
	if (data_close(dr, d, path))
		return -1;
	char *body;
	size_t len;
	FILE *g = script_begin(p, " (replication 0)", "time (s)", &body, &len);
	fputs("\nset key outside right top\nset grid\nplot ", g);
	for (size_t i = 0; i < p->n; i++) {
		fprintf(g, "%s'%s.dat' using 1:%zu with lines lw 2%s title ",
			i ? ", " : "", p->name, i + 2, p->l[i].s ? "" : " dt 2");
		rpt_gnuplot_string(g, p->l[i].label);
	}
	fputc('\n', g);
	return script_end(dr, pdir, p, g, &body, &len);
}

int rpt_plot_band(struct rpt_draw *dr, const char *pdir, struct plot *p,
		  const char *xlabel, const double *x, const double *y,
		  const double *mean, const double *lo, const double *hi, size_t n)
{
	bool any = false;
	for (size_t k = 0; k < n && !any; k++)
		any = isfinite(x[k]) && (isfinite(y[k]) || isfinite(mean[k]));
	char path[4600];
	int rc;
	FILE *d = data_open(dr, pdir, p, any, path, sizeof(path), &rc);
	if (!d)
		return rc;
	fputs("# x\tobserved\tsimulated_mean\tband_low\tband_high\n", d);
	for (size_t k = 0; k < n; k++) {
		const double v[] = { x[k], y[k], mean[k], lo[k], hi[k] };
		for (size_t c = 0; c < 5; c++) {
			if (isfinite(v[c]))
				fprintf(d, "%s%.10g", c ? "\t" : "", v[c]);
			else
				fprintf(d, "%sNaN", c ? "\t" : "");
		}
		fputc('\n', d);
	}
	if (data_close(dr, d, path))
		return -1;
	char *body;
	size_t len;
	FILE *g = script_begin(p, "", xlabel, &body, &len);
	fprintf(g, "\nset datafile missing 'NaN'\nset key top left\nset grid\n"
		"plot '%s.dat' using 1:4:5 with filledcurves fc rgb '#c6dbef' fs solid 0.8 "
		"title 'simulated 95%% band', '' using 1:3 with lines lw 2 lc rgb '#08519c' "
		"title 'simulated mean', '' using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#d95f02' "
		"title 'observed'\n", p->name);
	return script_end(dr, pdir, p, g, &body, &len);
}

/* A bar chart of rows (label, values...) with the series names given. */
int rpt_plot_bars(struct rpt_draw *dr, const char *pdir, struct plot *p,
			  char **labels, double *values, size_t rows,
			  const char *const *cols, size_t ncols)
{
	bool any = false;
	for (size_t i = 0; i < rows * ncols && !any; i++)
		any = isfinite(values[i]);
	char path[4600];
	int rc;
	FILE *d = data_open(dr, pdir, p, any, path, sizeof(path), &rc);
	if (!d)
		return rc;
	for (size_t r = 0; r < rows; r++) {
		data_label(d, labels[r]);
		for (size_t c = 0; c < ncols; c++)
			fprintf(d, " %.10g", values[r * ncols + c]);
		fputc('\n', d);
	}
	if (data_close(dr, d, path))
		return -1;
	char *body;
	size_t len;
	FILE *g = script_begin(p, "", NULL, &body, &len);
	fputs("\nset style data histograms\nset style histogram clustered\n"
	      "set style fill solid 0.8\nset boxwidth 0.9\nset xtics rotate by -30\n"
	      "set key outside right top\nset grid ytics\nplot ", g);
	for (size_t c = 0; c < ncols; c++) {
		fprintf(g, "%s'%s.dat' using %zu%s title ", c ? ", " : "", p->name,
			c + 2, c ? "" : ":xtic(1)");
		rpt_gnuplot_string(g, cols[c]);
	}
	fputc('\n', g);
	return script_end(dr, pdir, p, g, &body, &len);
}

/* After the plots: the one warning for a machine without gnuplot. */
void rpt_gnuplot_missing(struct rpt_draw *dr, size_t plots)
{
	if (dr->no_gnuplot && plots)
		rpt_note(dr, "spillway: warning: gnuplot not found on PATH (is it installed?): "
		     "plots/ holds the scripts and data, not the pictures\n");
}

/* One metric against the points, with error bars. */
int rpt_plot_points(struct rpt_draw *dr, const char *pdir, struct plot *p,
			    char *const *labels, const double *mean, const double *lo,
			    const double *hi, size_t n)
{
	bool any = false;
	for (size_t k = 0; k < n && !any; k++)
		any = isfinite(mean[k]);
	char path[4600];
	int rc;
	FILE *d = data_open(dr, pdir, p, any, path, sizeof(path), &rc);
	if (!d)
		return rc;
	for (size_t k = 0; k < n; k++) {
		fprintf(d, "%zu ", k);
		data_label(d, labels[k]);
		fprintf(d, " %.10g %.10g %.10g\n", mean[k], isnan(lo[k]) ? mean[k] : lo[k],
			isnan(hi[k]) ? mean[k] : hi[k]);
	}
	if (data_close(dr, d, path))
		return -1;
	char *body;
	size_t len;
	FILE *g = script_begin(p, " (point, values, mean, ci95_low, ci95_high)", NULL, &body, &len);
	fputs("\nset xtics rotate by -30\nset grid\nset key off\nset offsets 0.5, 0.5, 0, 0\n", g);
	fprintf(g, "plot '%s.dat' using 1:3:4:5:xtic(2) with yerrorlines lw 2 pt 7\n", p->name);
	return script_end(dr, pdir, p, g, &body, &len);
}

