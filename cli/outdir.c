/* outdir.c - output directories: the marker, the replaceability rules, the
 * swap into place and the clean-up of killed runs' leftovers (see
 * outdir.h for the rules).
 *
 * Plain POSIX, the engine's SHA-256 for the manifest, and the report's
 * check of a plot script's checksum (an edited script is the user's). Checks
 * look before they leap (lstat, then rename): a user racing spillway on
 * the same directory can still lose the race, which is why every rename
 * and removal is preceded by the marker check rather than trusting names.
 */
#define _GNU_SOURCE

#include "cli/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report.h"
#include "sim/sha256.h"
#include "sim/text.h"

/* What spillway writes at the top level of a run, sweep or plan
 * directory; anything else there is the user's. */
static const char *const top_names[] = {
	OUTDIR_MARKER, "manifest.json", "scenario.resolved.yaml",
	"timeseries.csv", "summary.csv", "summary.json", "tenants.csv",
	"cost.csv", "findings.json", "report.md", "report.html", "sweep.csv",
	"plan.md", "plan.json", "plots", "whatif", "points", "compare.csv",
	"errors.csv", "fit.csv", "fit.json", "evaluations.csv",
	"scenario.fitted.yaml", NULL,
};

/* What the report writers put in plots/: these files, and files with
 * these extensions. */
static const char *const plot_names[] = { "gnuplot.log", NULL };
static const char *const plot_exts[] = { ".gp", ".dat", ".png", ".svg", NULL };

/* A fresh random token: 32 hex digits. 0, or -1 with errno set when the
 * system gives no randomness. */
static int token_new(char token[33])
{
	unsigned char raw[16];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int outdir_make_parents(const char *path)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Writes text as dir's marker (through a temporary file renamed over it,
 * so a marker is never half-written). 0, or -1 with errno set. */
static int marker_write(const char *dir, const char *text)
{
	char path[4200], part[4300];
	if (snprintf(path, sizeof(path), "%s/%s", dir, OUTDIR_MARKER) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(part, sizeof(part), "%s.part", path);
	FILE *f = fopen(part, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fputs("# written by spillway, which removes or replaces only directories\n"
	      "# holding this file\n", f);
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	if (!err && rename(part, path))
		err = errno;
	if (!err)
		return 0;
	unlink(part);
	errno = err;
	return -1;
}

int outdir_create(const char *dir)
{
	char token[33], text[128];
	if (token_new(token) || outdir_make_parents(dir) || mkdir(dir, 0777))
		return -1;
	snprintf(text, sizeof(text), "spillway output directory\npid %ld\ntoken %s\n",
		 (long)getpid(), token);
	if (marker_write(dir, text) == 0)
		return 0;
	int saved = errno;
	rmdir(dir);
	errno = saved;
	return -1;
}

/* Whether s is n lower-case hex digits and nothing more. */
static bool is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

bool outdir_marker_read(const char *dir, struct outdir_marker *m)
{
	char path[4200], line[160];
	snprintf(path, sizeof(path), "%s/%s", dir, OUTDIR_MARKER);
	struct stat st;
	if (lstat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > 4096)
		return false;
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	*m = (struct outdir_marker){ .pid = -1 };
	bool ok = fgets(line, sizeof(line), f) &&
		  !strcmp(line, "spillway output directory\n");
	while (ok && fgets(line, sizeof(line), f)) {
		char word[80];
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "pid ", 4)) {
			char *end;
			errno = 0;
			m->pid = strtol(line + 4, &end, 10);
			ok = m->pid > 0 && !errno && *end == '\n';
		} else if (sscanf(line, "token %79s", word) == 1) {
			ok = is_hex(word, 32);
			if (ok)
				memcpy(m->token, word, 33);
		} else if (sscanf(line, "manifest %79s", word) == 1) {
			ok = is_hex(word, 64);
			if (ok)
				memcpy(m->manifest, word, 65);
		} else {
			ok = false;
		}
	}
	fclose(f);
	m->sealed = m->manifest[0] != '\0';
	/* Either sealed (a manifest, nothing else) or not (a process and
	 * its token). */
	return ok && (m->sealed ? m->pid < 0 && !m->token[0]
				: m->pid > 0 && m->token[0]);
}

/* Whether dir/manifest.json is a regular file whose SHA-256 is sha. */
static bool manifest_matches(const char *dir, const char *sha)
{
	char path[4200], got[65];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       sim_sha256_file(path, got) == 0 && !strcmp(got, sha);
}

static bool listed(const char *name, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool is_plot_file(const char *name)
{
	const char *dot = strrchr(name, '.');
	return listed(name, plot_names) || (dot && dot != name && listed(dot, plot_exts));
}

/* A gnuplot script, which its user may edit (reports/report.c). */
static bool is_script(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".gp");
}

/* Sets why to what was found, and what to do; returns false. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static bool refuse(char *why, size_t size, const char *fmt, ...)
{
	char found[4400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(found, sizeof(found), fmt, ap);
	va_end(ap);
	snprintf(why, size, "%s; spillway replaces only its own outputs: move it "
		 "away yourself, or choose another -o", found);
	return false;
}

static bool owned(const char *dir, char *why, size_t size, int depth);

/* Whether every entry of dir/sub is spillway's: plots/ holds plot files,
 * whatif/ and points/ hold runs. */
static bool sub_owned(const char *dir, const char *sub, char *why, size_t size,
		      int depth)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	struct stat st;
	if (lstat(path, &st))
		return true;
	if (!S_ISDIR(st.st_mode))
		return refuse(why, size, "%s is not the directory spillway writes", path);
	DIR *d = opendir(path);
	if (!d)
		return refuse(why, size, "%s cannot be read (%s)", path, strerror(errno));
	bool ok = true, plots = !strcmp(sub, "plots");
	struct dirent *e;
	while (ok && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char child[4800];
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (plots) {
			if (lstat(child, &st) || !S_ISREG(st.st_mode) || !is_plot_file(e->d_name))
				ok = refuse(why, size, "%s holds %s, which spillway did not write",
					    path, e->d_name);
			else if (is_script(e->d_name) && !rpt_script_is_spillways(child))
				ok = refuse(why, size, "%s/%s was edited since spillway wrote it "
					    "(spillway report keeps it)", path, e->d_name);
		} else {
			ok = owned(child, why, size, depth + 1);
		}
	}
	closedir(d);
	return ok;
}

/* Whether the existing directory dir is a spillway output by the rules of
 * outdir.h (depth bounds the recursion into whatif/ and points/). */
static bool owned(const char *dir, char *why, size_t size, int depth)
{
	struct outdir_marker m;
	struct stat st;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
		return refuse(why, size, "%s is not a directory", dir);
	if (!outdir_marker_read(dir, &m))
		return refuse(why, size, "%s exists and is not a spillway output directory "
			      "(it has no %s marker)", dir, OUTDIR_MARKER);
	if (!m.sealed)
		return refuse(why, size, "%s is an unfinished spillway output (process %ld "
			      "was writing it)", dir, m.pid);
	if (!manifest_matches(dir, m.manifest))
		return refuse(why, size, "%s has a spillway marker that does not match its "
			      "manifest.json", dir);
	if (depth > 4)
		return refuse(why, size, "%s is nested deeper than spillway writes", dir);
	DIR *d = opendir(dir);
	if (!d)
		return refuse(why, size, "%s cannot be read (%s)", dir, strerror(errno));
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!listed(e->d_name, top_names))
			ok = refuse(why, size, "%s holds %s, which spillway did not write",
				    dir, e->d_name);
	}
	closedir(d);
	static const char *const subs[] = { "plots", "whatif", "points" };
	for (size_t i = 0; ok && i < 3; i++)
		ok = sub_owned(dir, subs[i], why, size, depth);
	return ok;
}

bool outdir_is_output(const char *dir, char *why, size_t size)
{
	struct outdir_marker m;
	struct stat st;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s is not a directory", dir);
		return false;
	}
	if (!outdir_marker_read(dir, &m) || !m.sealed || !manifest_matches(dir, m.manifest)) {
		snprintf(why, size, "%s is not a finished spillway run (no sealed %s marker "
			 "matching its manifest.json)", dir, OUTDIR_MARKER);
		return false;
	}
	return true;
}

/* Whether the last component of path names no directory of its own. */
static bool bad_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return !*path || !*base || !strcmp(base, ".") || !strcmp(base, "..");
}

bool outdir_is_replaceable(const char *dir, char *why, size_t size)
{
	if (bad_name(dir)) {
		snprintf(why, size, "'%s' does not name a directory of its own; give a "
			 "name such as out/run1", dir);
		return false;
	}
	struct stat st;
	if (lstat(dir, &st)) {
		if (errno == ENOENT)
			return true;
		snprintf(why, size, "%s cannot be examined (%s)", dir, strerror(errno));
		return false;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(dir, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		snprintf(why, size, "%s is a symbolic link (to %s), which spillway does not "
			 "replace; give the directory it points to, or another -o", dir, target);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s exists and is not a directory; choose another -o", dir);
		return false;
	}
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(why, size, "%s cannot be read (%s)", dir, strerror(errno));
		return false;
	}
	bool empty = true;
	struct dirent *e;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty || owned(dir, why, size, 0);
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	/* The top and its marker go last (below), so that a removal cut
	 * short still carries the marker and is finished by a later run. */
	if (ftw->level == 0 ||
	    (ftw->level == 1 && !strcmp(path + ftw->base, OUTDIR_MARKER)))
		return 0;
	return remove(path);
}

int outdir_remove(const char *path)
{
	char marker[4200];
	snprintf(marker, sizeof(marker), "%s/%s", path, OUTDIR_MARKER);
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS))
		return -1;
	if (unlink(marker) && errno != ENOENT)
		return -1;
	return rmdir(path);
}

int outdir_install(const char *tmp, const char *dir)
{
	char old[4300], path[4300], sha[65], text[160];
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (sim_sha256_file(path, sha)) {
		sim_text_fprintf(stderr, "spillway: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(text, sizeof(text), "spillway output directory\nmanifest %s\n", sha);
	if (marker_write(tmp, text)) {
		sim_text_fprintf(stderr, "spillway: cannot write %s/%s: %s\n", tmp, OUTDIR_MARKER,
			strerror(errno));
		return -1;
	}
	snprintf(old, sizeof(old), "%s.old-%ld", dir, (long)getpid());
	struct stat st;
	bool had_old = lstat(dir, &st) == 0;
	if (had_old && rename(dir, old)) {
		sim_text_fprintf(stderr, "spillway: cannot replace %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (rename(tmp, dir)) {
		sim_text_fprintf(stderr, "spillway: cannot move %s to %s: %s\n", tmp, dir,
			strerror(errno));
		if (had_old)
			rename(old, dir);
		return -1;
	}
	if (had_old)
		outdir_remove(old);
	return 0;
}

void outdir_clean_stale(const char *dir)
{
	char parent[4096], base[4096];
	const char *slash = strrchr(dir, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dir) : 1,
		 slash ? dir : ".");
	if (slash && slash == dir)
		snprintf(parent, sizeof(parent), "/");
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : dir);
	DIR *d = opendir(parent);
	if (!d)
		return;
	size_t len = strlen(base);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, base, len) || e->d_name[len] != '.')
			continue;
		const char *tail = e->d_name + len + 1;
		bool tmp = !strncmp(tail, "tmp-", 4), old = !strncmp(tail, "old-", 4);
		if (!tmp && !old)
			continue;
		char *end;
		errno = 0;
		long pid = strtol(tail + 4, &end, 10);
		if (*end || errno || pid <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[8200], why[64];
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		struct outdir_marker m;
		struct stat st;
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) || !outdir_marker_read(path, &m))
			continue;
		/* A temporary directory carries the marker of the process in
		 * its name (or is complete); a previous output is complete. */
		bool mine = m.sealed ? owned(path, why, sizeof(why), 0) : tmp && m.pid == pid;
		if (!mine)
			continue;
		if (old && lstat(dir, &st) != 0 && rename(path, dir) == 0) {
			sim_text_fprintf(stderr, "spillway: note: restored %s from %s (a run killed while replacing it)\n",
				dir, path);
			continue;
		}
		if (outdir_remove(path) == 0)
			sim_text_fprintf(stderr, "spillway: note: removed %s, left by a run that was killed (process %ld)\n",
				path, pid);
	}
	closedir(d);
}
