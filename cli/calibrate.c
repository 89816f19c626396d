/* calibrate.c - `spillway calibrate`: fits numeric scenario values so that
 * the simulated series match a monitoring export.
 *
 * The loss of a candidate is the mean, over every measured point of every
 * bound series, of the squared standardised error
 *
 *     r_i = (m_i - y_i) / sqrt(v_i (1 + 1/R) + (0.01 y_i)^2 + f_s^2)
 *
 * where m_i is the mean over R replications of the simulated statistic
 * for point i (observe.h), y_i the measured value, v_i the measured
 * noise of the point (point_noise: from the series' own second
 * differences, so it does not depend on the candidate), and f_s 0.1% of
 * the series' mean |y| (scale_floor). A fit as good as the noise allows
 * has a loss near 1. Every evaluation runs the same R replications from
 * the scenario's seed (common random numbers), so two candidates differ
 * by their values, not by their luck.
 *
 * Search: over coordinates u in [0, 1], one per fitted value: log-spaced
 * between LOW and HIGH when LOW > 0, else linear. First the scenario's own
 * values and half the budget of screening points (a Halton sequence: even
 * over the box, fine along each value); then GSL's Nelder-Mead simplex
 * (nmsimplex2) from the best of them, with steps of half the screening's
 * spacing; a step outside [0, 1] is evaluated at the edge and
 * penalised by its distance. It stops when the simplex is smaller than
 * 0.002 across or the budget of evaluations is spent; the best evaluation
 * met is the fit.
 *
 * Uncertainty: at the fit, the Jacobian J of the normalised errors with
 * respect to the values is taken by central differences (u +- 0.02, two
 * evaluations per value), and the covariance is s^2 (J'J)^-1 with s^2 the
 * residual sum of squares over (points - values): the Gauss-Newton
 * curvature of the loss. The errors of neighbouring points are
 * correlated, so the interval is optimistic; a value the series do not
 * constrain shows a wide one (or none, when J'J is singular).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlin.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "cli/cli.h"
#include "cli/obscmd.h"
#include "cli/observe.h"
#include "models/registry.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/json.h"
#include "sim/scenario.h"
#include "sim/sha256.h"
#include "sim/text.h"
#include "sim/units.h"

static const char usage_calibrate[] =
	"Usage: spillway calibrate SCENARIO --observed FILE --fit PATH[=LOW..HIGH]...\n"
	"                          [OPTIONS]\n"
	"\n"
	"Fits numeric values of SCENARIO (any scalar written in the file: a\n"
	"capacity, a rate, a distribution's mean or median...) so that its\n"
	"simulated series match a monitoring export (see spillway compare\n"
	"--help for the export and how series are bound). The loss is the mean\n"
	"over the measured points of the squared error standardised by the\n"
	"point's measured noise (from the series' own point-to-point roughness,\n"
	"with floors of 1% of the value and 0.1% of the series' mean): near 1\n"
	"for a fit as good as the noise allows. Each evaluation runs R\n"
	"replications with the same seeds (common random numbers). The search\n"
	"spends half the budget screening the bounds (a Halton sequence), then\n"
	"refines from the best point with Nelder-Mead (GSL); values move on a\n"
	"log scale when LOW > 0.\n"
	"\n"
	"Options:\n"
	"  --observed FILE      the export (required)\n"
	"  --fit PATH[=LOW..HIGH]\n"
	"                       a value to fit, written in SCENARIO, e.g.\n"
	"                       resources.fn.duration.per_message.lognormal.median=20ms..200ms;\n"
	"                       bounds in the value's own unit (the unit may be\n"
	"                       left out); default: a quarter to four times the\n"
	"                       value; repeatable\n"
	"  --budget N           evaluations at most (default 100: half screen the\n"
	"                       bounds, half refine; two per value more for the\n"
	"                       uncertainty)\n"
	"  -r, --replications N replications per evaluation (default 3)\n"
	"  --map ID=RESOURCE.METRIC[:STAT], --skip ID\n"
	"                       as for compare\n"
	"      --seed N         base seed (default: the scenario's)\n"
	"      --set PATH=VALUE override a scenario value; repeatable\n"
	"  -o, --output DIR     output directory (default out/NAME-calibrate)\n"
	"  -q, --quiet          no progress on stderr, no tables on stdout\n"
	"  -h, --help           this help\n"
	"\n"
	"Writes scenario.fitted.yaml (SCENARIO with the fitted values in place\n"
	"and a comment block saying how they were fitted), fit.csv and\n"
	"fit.json (each value: initial, bounds, fitted, standard error and 95%\n"
	"interval from the loss's Gauss-Newton curvature), evaluations.csv\n"
	"(every evaluation's values and loss), and the comparison of the fitted\n"
	"scenario as compare writes it (compare.csv, errors.csv, plots/).\n"
	"\n"
	"Exit status: 0 done, 1 a run failed, 2 bad input.\n";

/* One fitted value. */
struct param {
	const char *path;      /* into the --fit argument */
	char suffix[32];       /* the unit written after the number ("ms", "") */
	double v0, lo, hi;     /* initial value and bounds, in that unit */
	bool integer;          /* the scenario takes whole numbers only */
	bool logscale;
	int line, col;         /* of the scalar in the file */
	bool quoted;
	char *text;            /* the scalar as written, owned */
	char *fit;             /* "path=VALUE" of the current candidate, owned */
	double best, se;       /* the fit and its standard error (NAN: none) */
};

struct calib {
	struct obscmd *c;
	struct observe ob;
	struct param *p;
	size_t np;
	char sets[3][64];
	size_t evals;
	double best_loss;
	double *best_u;
	size_t points;         /* measured points in the loss */
	double *floor;         /* per series: the floor of its error scale */
	double **noise;        /* per series and point: the measured noise
				  (a variance, point_noise) */
	FILE *log;             /* evaluations.csv in memory */
	char *log_text;
	size_t log_len;
	bool failed;           /* a run failed: stop */
};

/* The node at a dotted path (keys and [i] indices), or NULL. */
static const struct cfg_node *node_at(const struct cfg_node *n, const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, "."); tok && n; tok = strtok(NULL, ".")) {
		char *br = strchr(tok, '[');
		if (br)
			*br = 0;
		if (*tok)
			n = cfg_get(n, tok);
		while (br && n) {
			char *end;
			long i = strtol(br + 1, &end, 10);
			if (*end != ']' || n->type != CFG_SEQ || i < 0 || (size_t)i >= n->n)
				return NULL;
			n = n->items[i];
			br = strchr(end, '[');
		}
	}
	return n;
}

static double value_of(const struct param *p, double u)
{
	u = fmin(1, fmax(0, u));
	double v = p->logscale ? p->lo * pow(p->hi / p->lo, u) : p->lo + (p->hi - p->lo) * u;
	return p->integer ? round(v) : v;
}

static double coord_of(const struct param *p, double v)
{
	double u = p->logscale ? log(v / p->lo) / log(p->hi / p->lo)
			       : (v - p->lo) / (p->hi - p->lo);
	return fmin(1, fmax(0, u));
}

static void format_value(const struct param *p, double v, char *buf, size_t size)
{
	if (p->integer)
		snprintf(buf, size, "%.0f%s", v, p->suffix);
	else
		snprintf(buf, size, "%.6g%s", v, p->suffix);
}

/* A bound "20ms" or "20" in p's unit: 0, or -1. */
static int parse_bound(const struct param *p, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return -1;
	if (*end && strcmp(end, p->suffix))
		return -1;
	*out = v;
	return 0;
}

/* Whether the scenario loads with the assignment set (quietly). */
static bool loads_with(const struct obscmd *c, const char *set)
{
	struct scenario scn;
	const char *extra[] = { set };
	struct diag d;
	diag_init(&d);
	const char **sets = sim_xcalloc(c->n_sets + 2, sizeof(*sets));
	size_t n = 0;
	for (size_t i = 0; i < c->n_sets; i++)
		sets[n++] = c->sets[i];
	sets[n++] = extra[0];
	bool ok = scenario_load(&scn, c->scenario, sets, n, &spillway_registry, &d) == 0;
	if (ok)
		scenario_finish(&scn);
	diag_finish(&d);
	free(sets);
	return ok;
}

/* Reads --fit arg against the loaded scenario: 0, or EXIT_INPUT. */
static int parse_fit(const struct obscmd *c, const struct scenario *scn, const char *arg,
		     struct param *p)
{
	*p = (struct param){ .best = NAN, .se = NAN };
	char path[512];
	const char *eq = strchr(arg, '=');
	snprintf(path, sizeof(path), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	p->path = sim_xstrdup(path);
	const struct cfg_node *n = node_at(scn->doc.root, path);
	if (!n) {
		sim_text_fprintf(stderr, "spillway calibrate: --fit %s: %s has no value at %s\n", arg,
				 c->scenario, path);
		return EXIT_INPUT;
	}
	if (n->type != CFG_SCALAR) {
		sim_text_fprintf(stderr, "spillway calibrate: --fit %s: %s:%d:%d: %s is a %s, not a number; name one of its values (e.g. %s.mean)\n",
				 arg, n->file, n->line, n->col, path,
				 n->type == CFG_MAP ? "map" : "list", path);
		return EXIT_INPUT;
	}
	if (n->filled || n->line <= 0 || strcmp(n->file, scn->doc.file)) {
		sim_text_fprintf(stderr, "spillway calibrate: --fit %s: %s is not written in %s (%s); write it there to fit it\n",
				 arg, path, c->scenario, n->filled ? "its default applies" : "it comes from --set");
		return EXIT_INPUT;
	}
	char *end;
	errno = 0;
	p->v0 = strtod(n->value, &end);
	size_t numlen = (size_t)(end - n->value);
	char num[64];
	snprintf(num, sizeof(num), "%.*s", (int)(numlen < 63 ? numlen : 63), n->value);
	if (end == n->value || errno || sim_parse_number(num, &p->v0) || strlen(end) >= sizeof(p->suffix)) {
		sim_text_fprintf(stderr, "spillway calibrate: --fit %s: %s:%d:%d: %s is '%s', not a number with an optional unit\n",
				 arg, n->file, n->line, n->col, path, n->value);
		return EXIT_INPUT;
	}
	snprintf(p->suffix, sizeof(p->suffix), "%s", end);
	p->line = n->line;
	p->col = n->col;
	p->quoted = n->quoted;
	p->text = sim_xstrdup(n->value);
	if (eq) {
		const char *dots = strstr(eq + 1, "..");
		char lo[64] = "";
		if (dots)
			snprintf(lo, sizeof(lo), "%.*s", (int)(dots - eq - 1), eq + 1);
		if (!dots || parse_bound(p, lo, &p->lo) || parse_bound(p, dots + 2, &p->hi) ||
		    !(p->lo < p->hi)) {
			sim_text_fprintf(stderr, "spillway calibrate: --fit %s: expected PATH=LOW..HIGH with LOW < HIGH, numbers in the value's unit ('%s'), e.g. %s=%g%s..%g%s\n",
					 arg, p->suffix, path, p->v0 / 2, p->suffix, p->v0 * 2, p->suffix);
			return EXIT_INPUT;
		}
	} else if (p->v0 > 0) {
		p->lo = p->v0 / 4;
		p->hi = p->v0 * 4;
	} else {
		sim_text_fprintf(stderr, "spillway calibrate: --fit %s: the value is %g: give bounds (PATH=LOW..HIGH)\n",
				 arg, p->v0);
		return EXIT_INPUT;
	}
	p->logscale = p->lo > 0;
	/* Whole numbers only? The loader says: a written integer whose half
	 * step it refuses. */
	char set[600];
	if (!strpbrk(num, ".eE")) {
		snprintf(set, sizeof(set), "%s=%.1f%s", path, p->v0 + 0.5, p->suffix);
		p->integer = !loads_with(c, set);
	}
	char a[64], b[64];
	format_value(p, value_of(p, 0), a, sizeof(a));
	format_value(p, value_of(p, 1), b, sizeof(b));
	for (int k = 0; k < 2; k++) {
		snprintf(set, sizeof(set), "%s=%s", path, k ? b : a);
		if (!loads_with(c, set)) {
			sim_text_fprintf(stderr, "spillway calibrate: --fit %s: the scenario refuses %s (check the bounds against `spillway help`):\n",
					 arg, set);
			struct scenario scn2;
			const char *extra[] = { set };
			if (obscmd_load(c, extra, 1, &scn2, false) == 0)
				scenario_finish(&scn2);
			return EXIT_INPUT;
		}
	}
	return 0;
}

/* The absolute floor of a series' error scale: 0.1% of its mean measured
 * |y| (1 when that is 0). With 1% of the point's own value it keeps a
 * point with no measured roughness (a capacity reached, no throttle) from
 * an error scale of zero. */
static double scale_floor(const struct bound *b)
{
	double absy = 0;
	size_t n = 0;
	for (size_t q = 0; q < b->n; q++) {
		if (isfinite(b->y[q])) {
			absy += fabs(b->y[q]);
			n++;
		}
	}
	return n && absy > 0 ? 0.001 * absy / (double)n : 1;
}

/* The measured noise of each point of b, as a variance: from the
 * series' own roughness, the second difference d_q = y_q - (y_{q-1} +
 * y_{q+1}) / 2 (whose variance is 1.5 times the points' for independent
 * noise, and which a linear trend leaves out), d^2 / 1.5 averaged over
 * the point and the three on each side. It does not depend on the
 * candidate, so no candidate lowers its loss by being noisier. Into
 * var (b->n entries). */
static void point_noise(const struct bound *b, double *var)
{
	size_t n = b->n;
	double *d2 = sim_xcalloc(n ? n : 1, sizeof(*d2));
	bool *has = sim_xcalloc(n ? n : 1, sizeof(*has));
	for (size_t q = 1; q + 1 < n; q++) {
		double y0 = b->y[q - 1], y1 = b->y[q], y2 = b->y[q + 1];
		if (isfinite(y0) && isfinite(y1) && isfinite(y2)) {
			double d = y1 - (y0 + y2) / 2;
			d2[q] = d * d / 1.5;
			has[q] = true;
		}
	}
	for (size_t q = 0; q < n; q++) {
		double v = 0;
		size_t k = 0;
		for (size_t j = q >= 3 ? q - 3 : 0; j <= q + 3 && j < n; j++) {
			if (has[j]) {
				v += d2[j];
				k++;
			}
		}
		var[q] = k ? v / (double)k : 0;
	}
	free(d2);
	free(has);
}

/* Runs the candidate u (clamped) and returns its loss; resid (when not
 * NULL, of cal->points entries) gets the normalised errors. */
static double evaluate(struct calib *cal, const double *u, double *resid, size_t reps)
{
	const char **extra = sim_xcalloc(cal->np + 3, sizeof(*extra));
	for (size_t j = 0; j < 3; j++)
		extra[j] = cal->sets[j];
	for (size_t j = 0; j < cal->np; j++) {
		struct param *p = &cal->p[j];
		char v[64];
		format_value(p, value_of(p, u[j]), v, sizeof(v));
		free(p->fit);
		size_t len = strlen(p->path) + strlen(v) + 2;
		p->fit = sim_xrealloc(NULL, len);
		snprintf(p->fit, len, "%s=%s", p->path, v);
		extra[3 + j] = p->fit;
	}
	struct scenario scn;
	double loss = INFINITY;
	if (obscmd_load(cal->c, extra, cal->np + 3, &scn, true)) {
		cal->failed = true;
		free(extra);
		return loss;
	}
	free(extra);
	if (observe_run(&cal->ob, &scn, reps)) {
		cal->failed = true;
		scenario_finish(&scn);
		return loss;
	}
	scenario_finish(&scn);
	double sum = 0;
	size_t k = 0;
	for (size_t i = 0; i < cal->ob.nb; i++) {
		struct rpt_compared c;
		observe_compared(&cal->ob, i, &c);
		double floor2 = cal->floor[i] * cal->floor[i];
		const double *var = cal->noise[i];
		for (size_t q = 0; q < c.n; q++) {
			if (!isfinite(c.y[q]))
				continue;
			double m, lo, hi;
			rpt_fit_point(&c, q, &m, &lo, &hi);
			/* A point the simulation has no value for (a mean over
			 * no event) counts as simulated 0. */
			if (!isfinite(m))
				m = 0;
			double rel = 0.01 * c.y[q];
			double r = (m - c.y[q]) /
				   sqrt(var[q] * (1 + 1 / (double)c.reps) + rel * rel + floor2);
			if (resid && k < cal->points)
				resid[k] = r;
			sum += r * r;
			k++;
		}
	}
	loss = k ? sum / (double)k : INFINITY;
	return loss;
}

/* The i-th point of the van der Corput sequence in base b. */
static double halton(size_t i, unsigned b)
{
	double f = 1, r = 0;
	for (; i > 0; i /= b) {
		f /= b;
		r += f * (double)(i % b);
	}
	return r;
}

/* The evaluation the search asks for: counted, logged, the best kept. */
static double search_f(const gsl_vector *x, void *ctx)
{
	struct calib *cal = ctx;
	if (cal->failed || cal->evals >= (size_t)cal->c->budget)
		return INFINITY;
	size_t np = cal->np;
	double *u = sim_xcalloc(np, sizeof(*u));
	double penalty = 0;
	for (size_t j = 0; j < np; j++) {
		double x0 = gsl_vector_get(x, j);
		u[j] = fmin(1, fmax(0, x0));
		penalty += (x0 - u[j]) * (x0 - u[j]);
	}
	double loss = evaluate(cal, u, NULL, (size_t)cal->c->reps);
	cal->evals++;
	fprintf(cal->log, "%zu", cal->evals);
	for (size_t j = 0; j < np; j++)
		fprintf(cal->log, ",%.10g", value_of(&cal->p[j], u[j]));
	fprintf(cal->log, ",%.10g\n", loss);
	if (loss < cal->best_loss) {
		cal->best_loss = loss;
		memcpy(cal->best_u, u, np * sizeof(*u));
	}
	if (!cal->c->quiet) {
		fprintf(stderr, "spillway calibrate: evaluation %zu/%lld  loss %.6g ", cal->evals,
			cal->c->budget, loss);
		for (size_t j = 0; j < np; j++) {
			char v[64];
			format_value(&cal->p[j], value_of(&cal->p[j], u[j]), v, sizeof(v));
			sim_text_fprintf(stderr, " %s=%s", cal->p[j].path, v);
		}
		fputc('\n', stderr);
	}
	free(u);
	return loss + 10 * penalty;
}

static void search(struct calib *cal)
{
	size_t np = cal->np;
	const gsl_multimin_fminimizer_type *T = gsl_multimin_fminimizer_nmsimplex2;
	gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(T, np);
	gsl_vector *x = gsl_vector_alloc(np), *step = gsl_vector_alloc(np);
	if (!s || !x || !step)
		sim_out_of_memory(np * sizeof(double));
	/* Screening: the scenario's own values, then half the budget of
	 * points of a Halton sequence (bases 2, 3, 5, ...): they fill the
	 * box evenly and each value's projection finely, so that the
	 * simplex starts near the best region rather than on a plateau
	 * where a value changes nothing (a capacity above the load). */
	double *u = sim_xcalloc(np, sizeof(*u));
	gsl_vector *g = gsl_vector_alloc(np);
	if (!g)
		sim_out_of_memory(np * sizeof(double));
	for (size_t j = 0; j < np; j++)
		gsl_vector_set(g, j, coord_of(&cal->p[j], cal->p[j].v0));
	search_f(g, cal);
	static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37,
					   41, 43, 47, 53, 59, 61, 67, 71 };
	size_t screen = (size_t)cal->c->budget / 2;
	for (size_t i = 1; i <= screen && !cal->failed && !cli_signal; i++) {
		for (size_t j = 0; j < np; j++)
			gsl_vector_set(g, j, halton(i, primes[j % 20]));
		search_f(g, cal);
	}
	size_t k = (size_t)ceil(pow((double)(screen + 1), 1 / (double)np));
	gsl_vector_free(g);
	memcpy(u, cal->best_u, np * sizeof(*u));
	for (size_t j = 0; j < np; j++) {
		gsl_vector_set(x, j, u[j]);
		/* Half a slice, inward from an edge. */
		double h = 0.5 / (double)k;
		gsl_vector_set(step, j, u[j] + h > 1 ? -h : h);
	}
	free(u);
	gsl_multimin_function f = { search_f, np, cal };
	/* Failures come back as statuses (the search then stops), not
	 * through GSL's aborting handler. */
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	gsl_multimin_fminimizer_set(s, &f, x, step);
	while (!cal->failed && cal->evals < (size_t)cal->c->budget && !cli_signal) {
		if (gsl_multimin_fminimizer_iterate(s))
			break;
		if (gsl_multimin_fminimizer_size(s) < 0.002)
			break;
	}
	gsl_set_error_handler(old);
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(x);
	gsl_vector_free(step);
}

/* Standard errors at the fit (see the head of the file). */
static void uncertainty(struct calib *cal)
{
	size_t np = cal->np, N = cal->points;
	if (N <= np)
		return;
	double *r0 = sim_xcalloc(N, sizeof(*r0)), *rp = sim_xcalloc(N, sizeof(*rp));
	double *rm = sim_xcalloc(N, sizeof(*rm)), *u = sim_xcalloc(np, sizeof(*u));
	double ssr = 0;
	evaluate(cal, cal->best_u, r0, (size_t)cal->c->reps);
	for (size_t i = 0; i < N; i++)
		ssr += r0[i] * r0[i];
	gsl_matrix *J = gsl_matrix_alloc(N, np), *cov = gsl_matrix_alloc(np, np);
	bool ok = J && cov;
	for (size_t j = 0; j < np && ok && !cal->failed; j++) {
		struct param *p = &cal->p[j];
		memcpy(u, cal->best_u, np * sizeof(*u));
		double up = fmin(1, u[j] + 0.02), dn = fmax(0, u[j] - 0.02);
		u[j] = up;
		double vp = value_of(p, up);
		evaluate(cal, u, rp, (size_t)cal->c->reps);
		u[j] = dn;
		double vm = value_of(p, dn);
		evaluate(cal, u, rm, (size_t)cal->c->reps);
		if (vp == vm) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < N; i++)
			gsl_matrix_set(J, i, j, (rp[i] - rm[i]) / (vp - vm));
	}
	if (ok && !cal->failed) {
		gsl_error_handler_t *old = gsl_set_error_handler_off();
		if (gsl_multifit_covar(J, 1e-12, cov) == 0) {
			double s2 = ssr / (double)(N - np);
			for (size_t j = 0; j < np; j++) {
				double v = gsl_matrix_get(cov, j, j);
				cal->p[j].se = v > 0 && isfinite(v) ? sqrt(s2 * v) : NAN;
			}
		}
		gsl_set_error_handler(old);
	}
	gsl_matrix_free(J);
	gsl_matrix_free(cov);
	free(r0);
	free(rp);
	free(rm);
	free(u);
}

/* The fitted scenario: the input's text with each fitted value in place
 * of the written one, under a comment block. 0, or -1 after a message. */
static int write_fitted(const struct calib *cal, const char *path, const char *sha_obs)
{
	FILE *in = fopen(cal->c->scenario, "r");
	char *text = NULL;
	size_t len = 0;
	if (in) {
		FILE *m = open_memstream(&text, &len);
		char buf[65536];
		size_t k;
		while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, k, m);
		fclose(m);
		fclose(in);
	}
	if (!text) {
		sim_text_fprintf(stderr, "spillway calibrate: cannot read %s: %s\n", cal->c->scenario,
				 strerror(errno));
		return -1;
	}
	/* Replacements from the last in the file to the first, so earlier
	 * offsets stay right. */
	size_t *off = sim_xcalloc(cal->np, sizeof(*off));
	bool *placed = sim_xcalloc(cal->np, sizeof(*placed));
	for (size_t j = 0; j < cal->np; j++) {
		const struct param *p = &cal->p[j];
		size_t o = 0;
		for (int line = 1; line < p->line && o < len; o++)
			if (text[o] == '\n')
				line++;
		o += (size_t)(p->col - 1) + (p->quoted ? 1 : 0);
		off[j] = o;
		placed[j] = o + strlen(p->text) <= len && !strncmp(text + o, p->text, strlen(p->text));
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		free(text);
		free(off);
		free(placed);
		return -1;
	}
	time_t now = time(NULL);
	char iso[40];
	obs_format_time((double)now, iso, sizeof(iso));
	sim_text_fprintf(f, "# Calibrated by spillway calibrate on %s: fitted against\n"
			 "# %s (SHA-256 %.16s...), %zu series, %zu points;\n"
			 "# %zu evaluations of %lld replications (Nelder-Mead, common random\n"
			 "# numbers); loss %.6g (mean squared error standardised by each\n"
			 "# point's measured noise: near 1 is as good as the noise allows).\n",
			 iso, cal->c->oo.file, sha_obs, cal->ob.nb, cal->points, cal->evals,
			 cal->c->reps, cal->best_loss);
	for (size_t j = 0; j < cal->np; j++) {
		const struct param *p = &cal->p[j];
		char v[64], a[64], b[64];
		format_value(p, p->best, v, sizeof(v));
		if (isfinite(p->se)) {
			format_value(p, p->best - 1.96 * p->se, a, sizeof(a));
			format_value(p, p->best + 1.96 * p->se, b, sizeof(b));
		} else {
			snprintf(a, sizeof(a), "?");
			snprintf(b, sizeof(b), "?");
		}
		sim_text_fprintf(f, "#   %s: %s -> %s (95%% interval %s .. %s, bounds %g..%g)%s\n",
				 p->path, p->text, v, a, b, p->lo, p->hi,
				 placed[j] ? "" : " NOT PLACED: set it by hand");
	}
	fputs("#\n", f);
	size_t at = 0;
	for (;;) {
		size_t next = len, which = cal->np;
		for (size_t j = 0; j < cal->np; j++)
			if (placed[j] && off[j] >= at && off[j] < next) {
				next = off[j];
				which = j;
			}
		fwrite(text + at, 1, next - at, f);
		if (which == cal->np)
			break;
		const struct param *p = &cal->p[which];
		char v[64];
		format_value(p, p->best, v, sizeof(v));
		fputs(v, f);
		at = next + strlen(p->text);
	}
	free(text);
	free(off);
	free(placed);
	return rpt_close(f) ? -1 : 0;
}

static int write_fit_tables(const struct calib *cal, const char *tmp, bool converged)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/fit.csv", tmp);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct sim_csv w = { f, false };
	fputs("path,unit,initial,low,high,fitted,std_error,ci95_low,ci95_high\n", f);
	json_t *params = sim_json_array();
	for (size_t j = 0; j < cal->np; j++) {
		const struct param *p = &cal->p[j];
		double lo = p->best - 1.96 * p->se, hi = p->best + 1.96 * p->se;
		sim_csv_text(&w, p->path);
		sim_csv_text(&w, p->suffix);
		sim_csv_num(&w, p->v0);
		sim_csv_num(&w, p->lo);
		sim_csv_num(&w, p->hi);
		sim_csv_num(&w, p->best);
		sim_csv_num(&w, p->se);
		sim_csv_num(&w, lo);
		sim_csv_num(&w, hi);
		sim_csv_end(&w);
		json_t *o = sim_json_object();
		sim_json_set(o, "path", sim_json_text(p->path));
		sim_json_set(o, "unit", sim_json_text(p->suffix));
		sim_json_set(o, "initial", sim_json_num(p->v0));
		sim_json_set(o, "low", sim_json_num(p->lo));
		sim_json_set(o, "high", sim_json_num(p->hi));
		sim_json_set(o, "integer", json_boolean(p->integer));
		sim_json_set(o, "scale", sim_json_text(p->logscale ? "log" : "linear"));
		sim_json_set(o, "fitted", sim_json_num(p->best));
		sim_json_set(o, "std_error", sim_json_num(p->se));
		sim_json_set(o, "ci95_low", sim_json_num(lo));
		sim_json_set(o, "ci95_high", sim_json_num(hi));
		sim_json_push(params, o);
	}
	if (rpt_close(f)) {
		json_decref(params);
		return -1;
	}
	json_t *root = sim_json_object();
	sim_json_set(root, "parameters", params);
	sim_json_set(root, "loss", sim_json_num(cal->best_loss));
	sim_json_set(root, "loss_definition",
			    sim_json_text("mean over measured points of ((simulated mean - measured) / sqrt(noise (1 + 1/R) + (0.01 measured)^2 + (0.001 mean |measured| of the series)^2))^2, noise from the series' second differences"));
	sim_json_set(root, "points", sim_json_int((long long)cal->points));
	sim_json_set(root, "series", sim_json_int((long long)cal->ob.nb));
	sim_json_set(root, "evaluations", sim_json_int((long long)cal->evals));
	sim_json_set(root, "budget", sim_json_int((long long)cal->c->budget));
	sim_json_set(root, "replications_per_evaluation", sim_json_int((long long)cal->c->reps));
	sim_json_set(root, "converged", json_boolean(converged));
	sim_json_set(root, "method", sim_json_text("Nelder-Mead (GSL nmsimplex2), common random numbers; "
							"uncertainty from the Gauss-Newton curvature (central differences)"));
	snprintf(path, sizeof(path), "%s/fit.json", tmp);
	if (obscmd_write_json(path, root))
		return -1;
	snprintf(path, sizeof(path), "%s/evaluations.csv", tmp);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("evaluation", f);
	for (size_t j = 0; j < cal->np; j++) {
		w = (struct sim_csv){ f, true };
		sim_csv_text(&w, cal->p[j].path);
	}
	fputs(",loss\n", f);
	fwrite(cal->log_text, 1, cal->log_len, f);
	return rpt_close(f) ? -1 : 0;
}

static void print_fit(const struct calib *cal)
{
	sim_text_fprintf(stdout, "\nfitted (%zu evaluations of %lld replications, loss %.6g):\n",
			 cal->evals, cal->c->reps, cal->best_loss);
	sim_text_fprintf(stdout, "  %-56s %12s %12s %12s  %s\n", "path", "initial", "fitted",
			 "+- (95%)", "bounds");
	for (size_t j = 0; j < cal->np; j++) {
		const struct param *p = &cal->p[j];
		char a[64], b[64], e[64];
		format_value(p, p->v0, a, sizeof(a));
		format_value(p, p->best, b, sizeof(b));
		if (isfinite(p->se))
			snprintf(e, sizeof(e), "%.3g%s", 1.96 * p->se, p->suffix);
		else
			snprintf(e, sizeof(e), "-");
		sim_text_fprintf(stdout, "  %-56s %12s %12s %12s  %g..%g%s%s\n", p->path, a, b, e,
				 p->lo, p->hi, p->suffix,
				 (p->best <= p->lo || p->best >= p->hi) ? " (at a bound)" : "");
	}
}

int cmd_calibrate(int argc, char **argv)
{
	struct obscmd c;
	int rc = obscmd_parse(&c, "calibrate", usage_calibrate, argc, argv);
	if (rc) {
		obscmd_finish(&c);
		return rc == 1 ? 0 : rc;
	}
	struct calib cal = { .c = &c, .best_loss = INFINITY };
	struct scenario scn;
	char dir[4096], tmp[4200], path[4300];
	rc = EXIT_INPUT;
	if (c.n_fits == 0) {
		sim_text_fprintf(stderr, "spillway calibrate: at least one --fit PATH is needed (see spillway calibrate --help)\n");
		goto out;
	}
	if (obscmd_load(&c, NULL, 0, &scn, false))
		goto out;
	cal.p = sim_xcalloc(c.n_fits, sizeof(*cal.p));
	for (size_t j = 0; j < c.n_fits; j++, cal.np++) {
		if (parse_fit(&c, &scn, c.fits[j], &cal.p[j])) {
			cal.np++;
			scenario_finish(&scn);
			goto out;
		}
	}
	rc = observe_open(&cal.ob, &c.oo, &scn);
	if (rc) {
		scenario_finish(&scn);
		goto out;
	}
	obscmd_say_bound(&cal.ob, c.quiet);
	for (size_t i = 0; i < cal.ob.nb; i++)
		for (size_t q = 0; q < cal.ob.b[i].n; q++)
			cal.points += isfinite(cal.ob.b[i].y[q]);
	cal.floor = sim_xcalloc(cal.ob.nb, sizeof(*cal.floor));
	for (size_t i = 0; i < cal.ob.nb; i++)
		cal.floor[i] = scale_floor(&cal.ob.b[i]);
	cal.noise = sim_xcalloc(cal.ob.nb, sizeof(*cal.noise));
	for (size_t i = 0; i < cal.ob.nb; i++) {
		cal.noise[i] = sim_xcalloc(cal.ob.b[i].n ? cal.ob.b[i].n : 1, sizeof(double));
		point_noise(&cal.ob.b[i], cal.noise[i]);
	}
	observe_sets(&cal.ob, cal.sets);
	rc = obscmd_begin_dir(&c, &scn, dir, sizeof(dir), tmp, sizeof(tmp)) ? EXIT_INPUT : 0;
	scenario_finish(&scn);
	if (rc)
		goto out;
	cal.best_u = sim_xcalloc(cal.np, sizeof(*cal.best_u));
	cal.log = open_memstream(&cal.log_text, &cal.log_len);
	if (!cal.log)
		sim_out_of_memory(0);
	search(&cal);
	bool converged = cal.evals < (size_t)c.budget;
	if (!cal.failed && isfinite(cal.best_loss))
		uncertainty(&cal);
	fclose(cal.log);
	cal.log = NULL;
	if (cal.failed || !isfinite(cal.best_loss) || cli_signal) {
		rc = obscmd_end_dir(tmp, dir, EXIT_RUN);
		goto out;
	}
	for (size_t j = 0; j < cal.np; j++)
		cal.p[j].best = value_of(&cal.p[j], cal.best_u[j]);
	if (!c.quiet)
		print_fit(&cal);
	/* The fitted scenario's comparison, with more replications. */
	size_t reps = c.reps < 10 ? 10 : (size_t)c.reps;
	evaluate(&cal, cal.best_u, NULL, reps);
	char osha[65] = "";
	sim_sha256_file(c.oo.file, osha);
	snprintf(path, sizeof(path), "%s/scenario.fitted.yaml", tmp);
	rc = cal.failed ? EXIT_RUN : 0;
	if (!rc && (write_fitted(&cal, path, osha) || write_fit_tables(&cal, tmp, converged))) {
		sim_text_fprintf(stderr, "spillway calibrate: cannot write into %s: %s\n", tmp,
				 strerror(errno ? errno : EIO));
		rc = EXIT_RUN;
	}
	if (!rc) {
		struct scenario fitted;
		if (obscmd_load(&c, NULL, 0, &fitted, true) == 0) {
			rc = obscmd_write_outputs(&c, &cal.ob, &fitted, tmp);
			scenario_finish(&fitted);
		}
	}
	if (!rc) {
		snprintf(path, sizeof(path), "%s/manifest.json", tmp);
		json_t *m = obscmd_manifest(&c, &cal.ob);
		json_t *fits = sim_json_array();
		for (size_t j = 0; j < cal.np; j++)
			sim_json_push(fits, sim_json_text(c.fits[j]));
		sim_json_set(m, "fit", fits);
		sim_json_set(m, "budget", sim_json_int((long long)c.budget));
		rc = obscmd_write_json(path, m) ? EXIT_RUN : 0;
	}
	rc = obscmd_end_dir(tmp, dir, rc);
	if (!rc && !c.quiet)
		sim_text_fprintf(stdout, "outputs in %s/ (scenario.fitted.yaml, fit.csv, fit.json, evaluations.csv, compare.csv, errors.csv, plots/, manifest.json)\n",
				 dir);
out:
	for (size_t j = 0; j < cal.np; j++) {
		free((char *)cal.p[j].path);
		free(cal.p[j].text);
		free(cal.p[j].fit);
	}
	free(cal.p);
	free(cal.best_u);
	free(cal.floor);
	for (size_t i = 0; cal.noise && i < cal.ob.nb; i++)
		free(cal.noise[i]);
	free(cal.noise);
	if (cal.log)
		fclose(cal.log);
	free(cal.log_text);
	observe_finish(&cal.ob);
	obscmd_finish(&c);
	return rc;
}
