/* test_outdir.c - the output directories spillway owns (cli/outdir.c):
 * markers written and read back, every malformed marker refused, which
 * directories may be replaced, the swap into place, and the clean-up of
 * killed runs' leftovers touching only what carries spillway's marker. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/outdir.h"
#include "sim/sha256.h"
#include "tests/harness.h"

static char root[256];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/spillway-outdir-XXXXXX");
	ck_assert(mkdtemp(root) != NULL);
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* root/name into buf. */
static const char *at(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", root, name);
	return buf;
}


static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* A finished output at root/name: created, a manifest, installed. */
static void finished(const char *name, const char *manifest)
{
	char dir[400], tmp[420], path[500];
	at(dir, sizeof(dir), name);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dir, (long)getpid());
	ck_assert_int_eq(outdir_create(tmp), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	harness_put(path, manifest);
	ck_assert_int_eq(outdir_install(tmp, dir), 0);
	ck_assert(!exists(tmp));
}


START_TEST(create_writes_an_unsealed_marker)
{
	char dir[400], path[500];
	at(dir, sizeof(dir), "a/b/run");
	ck_assert_int_eq(outdir_create(dir), 0);
	struct outdir_marker m;
	ck_assert(outdir_marker_read(dir, &m));
	ck_assert(!m.sealed);
	ck_assert_int_eq(m.pid, (long)getpid());
	ck_assert_uint_eq(strlen(m.token), 32);
	ck_assert_str_eq(m.manifest, "");
	/* Another creation gets another token. */
	at(path, sizeof(path), "other");
	ck_assert_int_eq(outdir_create(path), 0);
	struct outdir_marker m2;
	ck_assert(outdir_marker_read(path, &m2));
	ck_assert_str_ne(m.token, m2.token);
	/* It exists already; its parent is a file; too long a name. */
	ck_assert_int_eq(outdir_create(dir), -1);
	ck_assert_int_eq(errno, EEXIST);
	at(path, sizeof(path), "file");
	harness_put(path, "x");
	at(path, sizeof(path), "file/run");
	ck_assert_int_eq(outdir_create(path), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	static char longname[5000];
	memset(longname, 'x', sizeof(longname) - 1);
	ck_assert_int_eq(outdir_create(longname), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(outdir_make_parents(longname), -1);
}
END_TEST

/* Only well-formed markers are spillway's. */
START_TEST(malformed_markers_are_not_spillways)
{
	static const char hex32[] = "0123456789abcdef0123456789abcdef";
	static const char hex64[] = "0123456789abcdef0123456789abcdef"
				    "0123456789abcdef0123456789abcdef";
	char good_open[200], good_sealed[200];
	snprintf(good_open, sizeof(good_open), "spillway output directory\npid 7\ntoken %s\n", hex32);
	snprintf(good_sealed, sizeof(good_sealed),
		 "spillway output directory\n# a comment\nmanifest %s\n", hex64);
	struct {
		const char *text;
		bool ok;
	} cases[] = {
		{ good_open, true },
		{ good_sealed, true },
		{ "", false },
		{ "spillway output\npid 7\n", false },
		{ "spillway output directory\n", false },
		{ "spillway output directory\npid 0\ntoken 0123456789abcdef0123456789abcdef\n", false },
		{ "spillway output directory\npid 7x\ntoken 0123456789abcdef0123456789abcdef\n", false },
		{ "spillway output directory\npid 7\ntoken 0123\n", false },
		{ "spillway output directory\npid 7\ntoken 0123456789ABCDEF0123456789ABCDEF\n", false },
		{ "spillway output directory\npid 7\n", false },
		{ "spillway output directory\nmanifest abc\n", false },
		{ "spillway output directory\nsomething else\n", false },
	};
	char dir[400], path[500];
	at(dir, sizeof(dir), "d");
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, OUTDIR_MARKER);
	struct outdir_marker m;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		harness_put(path, cases[i].text);
		ck_assert_msg(outdir_marker_read(dir, &m) == cases[i].ok, "case %zu", i);
	}
	/* Sealed and open at once. */
	char both[300];
	snprintf(both, sizeof(both), "%spid 7\n", good_sealed);
	harness_put(path, both);
	ck_assert(!outdir_marker_read(dir, &m));
	/* Too large, or not a file. */
	FILE *f = fopen(path, "w");
	fputs("spillway output directory\n", f);
	for (int i = 0; i < 500; i++)
		fputs("# padding padding\n", f);
	fclose(f);
	ck_assert(!outdir_marker_read(dir, &m));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(!outdir_marker_read(dir, &m));
	ck_assert_int_eq(mkdir(path, 0777), 0);
	ck_assert(!outdir_marker_read(dir, &m));
}
END_TEST

START_TEST(what_may_be_replaced)
{
	char why[8192], dir[400], path[600];
	/* Absent, empty. */
	ck_assert(outdir_is_replaceable(at(dir, sizeof(dir), "none"), why, sizeof(why)));
	ck_assert_int_eq(mkdir(at(dir, sizeof(dir), "empty"), 0777), 0);
	ck_assert(outdir_is_replaceable(dir, why, sizeof(why)));
	/* Names of no directory of their own. */
	static const char *const names[] = { "", ".", "..", "a/.", "a/", NULL };
	for (size_t i = 0; names[i]; i++) {
		ck_assert_msg(!outdir_is_replaceable(names[i], why, sizeof(why)), "%s", names[i]);
		ck_assert(strstr(why, "does not name a directory of its own"));
	}
	/* A file, a path through a file, a link. */
	harness_put(at(dir, sizeof(dir), "file"), "x");
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "exists and is not a directory"), "%s", why);
	ck_assert(!outdir_is_replaceable(at(path, sizeof(path), "file/run"), why, sizeof(why)));
	ck_assert_msg(strstr(why, "cannot be examined (Not a directory)"), "%s", why);
	at(path, sizeof(path), "link");
	ck_assert_int_eq(symlink(dir, path), 0);
	ck_assert(!outdir_is_replaceable(path, why, sizeof(why)));
	ck_assert_msg(strstr(why, "is a symbolic link (to "), "%s", why);
	/* Unfinished: the marker is still open. */
	ck_assert_int_eq(outdir_create(at(dir, sizeof(dir), "open")), 0);
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "is an unfinished spillway output"), "%s", why);
	ck_assert(!outdir_is_output(dir, why, sizeof(why)));
	/* Finished; then the manifest changed under it. */
	finished("run", "{\"a\": 1}\n");
	at(dir, sizeof(dir), "run");
	ck_assert(outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert(outdir_is_output(dir, why, sizeof(why)));
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	harness_put(path, "{\"a\": 2}\n");
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "does not match its manifest.json"), "%s", why);
	ck_assert(!outdir_is_output(dir, why, sizeof(why)));
	ck_assert(!outdir_is_output(at(path, sizeof(path), "file"), why, sizeof(why)));
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	harness_put(path, "{\"a\": 1}\n");
	ck_assert_msg(outdir_is_replaceable(dir, why, sizeof(why)), "%s", why);
	/* plots/: plot files only. */
	snprintf(path, sizeof(path), "%s/plots", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	static const char *const mine[] = { "q.dat", "q.png", "q.svg", "gnuplot.log", NULL };
	for (size_t i = 0; mine[i]; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s", dir, mine[i]);
		harness_put(path, "x");
	}
	/* A script as spillway writes it: its checksum line, then the rest. */
	static const char body[] = "set terminal svg\nplot 'q.dat'\n";
	char hex[65], script[400];
	sim_sha256_mem(body, sizeof(body) - 1, hex);
	snprintf(script, sizeof(script), "# spillway sha256 %s: the checksum of the rest of "
		 "this script as spillway wrote it; edit freely, spillway report then keeps "
		 "your version\n%s", hex, body);
	snprintf(path, sizeof(path), "%s/plots/q.gp", dir);
	harness_put(path, script);
	ck_assert_msg(outdir_is_replaceable(dir, why, sizeof(why)), "%s", why);
	/* Edited, it is the user's. */
	strcat(script, "set title 'mine'\n");
	harness_put(path, script);
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "plots/q.gp was edited since spillway wrote it"), "%s", why);
	ck_assert_int_eq(unlink(path), 0);
	static const char *const theirs[] = { "notes.txt", ".gp", "README", NULL };
	for (size_t i = 0; theirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s", dir, theirs[i]);
		harness_put(path, "x");
		ck_assert_msg(!outdir_is_replaceable(dir, why, sizeof(why)), "%s", theirs[i]);
		ck_assert(strstr(why, "which spillway did not write"));
		ck_assert_int_eq(unlink(path), 0);
	}
	snprintf(path, sizeof(path), "%s/plots/sub.png", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_int_eq(rmdir(path), 0);
	/* whatif/ and points/: runs only. */
	snprintf(path, sizeof(path), "%s/whatif", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/whatif/x", dir);
	harness_put(path, "x");
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "whatif/x is not a directory"), "%s", why);
	ck_assert_int_eq(unlink(path), 0);
	finished("run/whatif/SQS2-0", "{}\n");
	ck_assert_msg(outdir_is_replaceable(dir, why, sizeof(why)), "%s", why);
	snprintf(path, sizeof(path), "%s/points", dir);
	harness_put(path, "x");
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "is not the directory spillway writes"), "%s", why);
	ck_assert_int_eq(unlink(path), 0);
	/* Runs nested deeper than spillway ever writes them. */
	finished("deep", "{}\n");
	finished("deep/points/1", "{}\n");
	finished("deep/points/1/points/2", "{}\n");
	finished("deep/points/1/points/2/points/3", "{}\n");
	finished("deep/points/1/points/2/points/3/points/4", "{}\n");
	ck_assert(outdir_is_replaceable(at(dir, sizeof(dir), "deep"), why, sizeof(why)));
	finished("deep/points/1/points/2/points/3/points/4/points/5", "{}\n");
	ck_assert(!outdir_is_replaceable(dir, why, sizeof(why)));
	ck_assert_msg(strstr(why, "nested deeper than spillway writes"), "%s", why);
}
END_TEST

START_TEST(install_replaces_and_fails_whole)
{
	char dir[400], tmp[500], path[600];
	finished("run", "{\"n\": 1}\n");
	finished("run", "{\"n\": 2}\n");
	at(dir, sizeof(dir), "run");
	snprintf(path, sizeof(path), "grep -q 2 '%s/manifest.json'", dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "%s.old-%ld", dir, (long)getpid());
	ck_assert(!exists(path));
	/* No manifest: nothing to seal with. */
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dir, (long)getpid());
	ck_assert_int_eq(outdir_create(tmp), 0);
	ck_assert_int_eq(outdir_install(tmp, dir), -1);
	/* The move fails (no such parent): the old output stays. */
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	harness_put(path, "{}\n");
	snprintf(path, sizeof(path), "%s/missing/run", root);
	ck_assert_int_eq(outdir_install(tmp, path), -1);
	ck_assert(exists(tmp));
	/* The marker cannot be sealed: its new copy's name is taken by a
	 * directory, then the marker itself is one. */
	snprintf(path, sizeof(path), "%s/%s.part", tmp, OUTDIR_MARKER);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	ck_assert_int_eq(outdir_install(tmp, dir), -1);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/%s", tmp, OUTDIR_MARKER);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/%s/x", tmp, OUTDIR_MARKER);
	harness_put(path, "x");
	ck_assert_int_eq(outdir_install(tmp, dir), -1);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(path), 0);
	/* The old output cannot move aside (its .old name is taken). */
	ck_assert_int_eq(outdir_create(tmp), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	harness_put(path, "{}\n");
	snprintf(path, sizeof(path), "%s.old-%ld", dir, (long)getpid());
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s.old-%ld/x", dir, (long)getpid());
	harness_put(path, "x");
	ck_assert_int_eq(outdir_install(tmp, dir), -1);
	ck_assert_int_eq(outdir_remove(tmp), 0);
	ck_assert(!exists(tmp));
	ck_assert(outdir_is_output(dir, path, sizeof(path)));
}
END_TEST

START_TEST(stale_leftovers_with_the_marker_only)
{
	char dir[400], path[600], path2[700];
	long dead = harness_dead_pid();
	at(dir, sizeof(dir), "run");
	/* A killed run's temporary directory, with files. */
	snprintf(path, sizeof(path), "%s.tmp-%ld", dir, dead);
	char text[200];
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path2, sizeof(path2), "%s/%s", path, OUTDIR_MARKER);
	snprintf(text, sizeof(text), "spillway output directory\npid %ld\n"
		 "token 0123456789abcdef0123456789abcdef\n", dead);
	harness_put(path2, text);
	snprintf(path2, sizeof(path2), "%s/timeseries.csv", path);
	harness_put(path2, "x");
	/* One with another process's marker, a file, odd names. */
	snprintf(path2, sizeof(path2), "%s.tmp-%ld", dir, dead + 1);
	ck_assert_int_eq(mkdir(path2, 0777), 0);
	char marker[800];
	snprintf(marker, sizeof(marker), "%s/%s", path2, OUTDIR_MARKER);
	harness_put(marker, text);
	snprintf(path2, sizeof(path2), "%s.tmp-%ldx", dir, dead);
	ck_assert_int_eq(mkdir(path2, 0777), 0);
	snprintf(path2, sizeof(path2), "%s.old-%ld", dir, dead + 2);
	harness_put(path2, "a file");
	snprintf(path2, sizeof(path2), "%s.tmp-1", dir); /* init: alive */
	ck_assert_int_eq(mkdir(path2, 0777), 0);
	outdir_clean_stale(dir);
	ck_assert_msg(!exists(path), "%s not removed", path);
	snprintf(path2, sizeof(path2), "%s.tmp-%ld", dir, dead + 1);
	ck_assert(exists(path2));
	snprintf(path2, sizeof(path2), "%s.tmp-%ldx", dir, dead);
	ck_assert(exists(path2));
	snprintf(path2, sizeof(path2), "%s.old-%ld", dir, dead + 2);
	ck_assert(exists(path2));
	snprintf(path2, sizeof(path2), "%s.tmp-1", dir);
	ck_assert(exists(path2));
	/* A previous output moved aside: put back when DIR is missing,
	 * removed when DIR is there. */
	finished("aside", "{}\n");
	snprintf(path, sizeof(path), "%s.old-%ld", dir, dead);
	ck_assert_int_eq(rename(at(path2, sizeof(path2), "aside"), path), 0);
	outdir_clean_stale(dir);
	ck_assert(!exists(path));
	ck_assert(outdir_is_output(dir, path2, sizeof(path2)));
	finished("aside", "{}\n");
	ck_assert_int_eq(rename(at(path2, sizeof(path2), "aside"), path), 0);
	outdir_clean_stale(dir);
	ck_assert(!exists(path));
	ck_assert(outdir_is_output(dir, path2, sizeof(path2)));
	/* A relative DIR, and one at the top of the tree, look in . and /. */
	char cwd[4096];
	ck_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	ck_assert_int_eq(chdir(root), 0);
	snprintf(path, sizeof(path), "rel.tmp-%ld", dead);
	ck_assert_int_eq(outdir_create(path), 0);
	snprintf(marker, sizeof(marker), "%s/%s", path, OUTDIR_MARKER);
	harness_put(marker, text);
	outdir_clean_stale("rel");
	ck_assert(!exists(path));
	outdir_clean_stale("/spillway-no-such-output");
	outdir_clean_stale("/no/such/parent/run");
	ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("outdir");
	TCase *m = tcase_create("outdir:marker");
	tcase_add_checked_fixture(m, setup, teardown);
	tcase_add_test(m, create_writes_an_unsealed_marker);
	tcase_add_test(m, malformed_markers_are_not_spillways);
	suite_add_tcase(s, m);
	TCase *r = tcase_create("outdir:replace");
	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, what_may_be_replaced);
	tcase_add_test(r, install_replaces_and_fails_whole);
	suite_add_tcase(s, r);
	TCase *st = tcase_create("outdir:stale");
	tcase_add_checked_fixture(st, setup, teardown);
	tcase_add_test(st, stale_leftovers_with_the_marker_only);
	suite_add_tcase(s, st);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
