/* harness.c - shared test helpers (see harness.h). */
#include "tests/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/registry.h"

int harness_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void harness_run(const char *path, const char *const *sets, size_t n_sets,
		 struct scenario *scn, struct sim_outcome *out)
{
	struct diag d;
	diag_init(&d);
	int rc = scenario_load(scn, path, sets, n_sets, &spillway_registry, &d);
	diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	struct sim_run_options opt = { 0 };
	rc = sim_run_scenario(scn, &opt, &d, out);
	diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	diag_finish(&d);
}

void harness_done(struct scenario *scn, struct sim_outcome *out)
{
	sim_outcome_finish(out);
	scenario_finish(scn);
}

void harness_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

size_t harness_slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return n;
}

long harness_dead_pid(void)
{
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
		_exit(0);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return (long)pid;
}

void fail_add(struct fails *f, const char *fmt, ...)
{
	va_list ap;
	int w;

	f->n++;
	if (f->len + 8 >= sizeof(f->text))
		return; /* full: the count still says how many */
	f->text[f->len++] = '\n';
	va_start(ap, fmt);
	w = vsnprintf(f->text + f->len, sizeof(f->text) - f->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		f->len += (size_t)w;
	if (f->len >= sizeof(f->text))
		f->len = sizeof(f->text) - 1;
}
