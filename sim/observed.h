/* observed.h - measured time series: a monitoring export read into memory.
 *
 * Two formats, told apart by their first non-blank byte:
 *   JSON  what `aws cloudwatch get-metric-data` prints: an object with
 *         MetricDataResults, a list of {Id, Label, Timestamps, Values,
 *         StatusCode}. Several such objects may follow one another in the
 *         file (pages, each printed by one call), or stand in a JSON array.
 *         Timestamps are ISO 8601 texts ("2026-11-30T10:00:00+00:00",
 *         "...Z", with or without fractions of a second) or numbers of
 *         seconds since the epoch.
 *   CSV   a header `timestamp,resource,metric,value` (an optional fifth
 *         column `statistic`), then one row per point; timestamps as above.
 *
 * A series is one Id (JSON) or one (resource, metric, statistic) (CSV).
 * Its points are merged over pages and sorted by time; within one page an
 * entry's timestamps must be monotone (ascending or descending, as
 * CloudWatch's ScanBy gives them). A timestamp met twice with different
 * values, Timestamps and Values of different lengths, a missing Values,
 * a value that is not a number: each is an error naming the file and the
 * entry (page, index, Id).
 *
 * The label says what was measured, in words separated by blanks:
 *   - a statistic: Sum, Average, Maximum, Minimum, SampleCount, or pNN
 *     (p99, p99.9);
 *   - a dimension Name=Value (QueueName=orders-queue): its value is a
 *     candidate resource name;
 *   - RESOURCE.METRIC in one word (orders-queue.NumberOfMessagesSent);
 *   - other words: candidate resource names or metric names.
 * obs_match() says whether a series names a given (resource, metric);
 * which words are which is decided against what the caller knows (the
 * scenario's resources and the metrics they record).
 *
 * Time: t0 is the earliest timestamp of the whole file; callers place
 * simulated time 0 there.
 */
#ifndef SPILLWAY_SIM_OBSERVED_H
#define SPILLWAY_SIM_OBSERVED_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

enum obs_stat {
	OBS_STAT_UNSTATED = 0,
	OBS_STAT_SUM,
	OBS_STAT_AVERAGE,
	OBS_STAT_MAXIMUM,
	OBS_STAT_MINIMUM,
	OBS_STAT_SAMPLECOUNT,
	OBS_STAT_PERCENTILE, /* with obs_series.percentile */
};

struct obs_series {
	char *id;          /* JSON Id; CSV: "resource.metric", or
			      "resource.metric.STATISTIC" for a second
			      statistic of the same metric (owned) */
	char *label;       /* JSON Label as written, or the CSV's
			      "resource metric [statistic]" (owned) */
	char **words;      /* the label's words, statistic and Name= parts
			      removed (dimension values kept) (owned) */
	size_t n_words;
	int stat;          /* enum obs_stat, from the label or CSV column */
	double percentile; /* OBS_STAT_PERCENTILE: 99 for p99 */
	double *t;         /* seconds since the epoch, strictly ascending (owned) */
	double *v;         /* one value per time (owned) */
	size_t n;
	double period;     /* seconds: the smallest gap between points; 0 when
			      fewer than two */
	size_t missing;    /* periods with no point between the first and last */
	size_t pages;      /* pages (JSON objects) the Id appeared in */
	bool partial;      /* a page said StatusCode PartialData */
};

enum obs_format { OBS_JSON, OBS_CSV };

struct obs_set {
	char *file;             /* path as given (owned) */
	int format;             /* enum obs_format */
	struct obs_series *s;   /* in first-seen order (owned) */
	size_t n;
	size_t pages;           /* JSON objects read (1 for CSV) */
	double t0;              /* earliest timestamp of every series */
	double t_end;           /* latest timestamp + that series' period */
};

/* Reads path. Problems go to d, each naming the file and the entry (and
 * line:col for JSON syntax); returns 0, or -1 with nothing to free. */
int obs_load(struct obs_set *set, const char *path, struct diag *d);
void obs_finish(struct obs_set *set);

/* Whether s names resource and metric: a word RESOURCE.METRIC, or one word
 * (or dimension value) equal to resource and another equal to metric. */
bool obs_match(const struct obs_series *s, const char *resource,
	       const char *metric);

/* The series with this Id, or NULL. */
const struct obs_series *obs_find_id(const struct obs_set *set, const char *id);

/* Parses a statistic's name ("Sum", "Average", "p99"...): 0 and *stat,
 * *percentile; -1 when it is none. */
int obs_parse_stat(const char *word, int *stat, double *percentile);
/* "Sum", "p99", "unstated"... into buf; returns buf. */
const char *obs_stat_name(int stat, double percentile, char *buf, size_t size);

/* Parses an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM),
 * a space allowed for T, no zone meaning UTC) or a number of seconds:
 * 0 and *t seconds since the epoch, or -1. */
int obs_parse_time(const char *s, double *t);
/* Writes t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" (with
 * milliseconds when not whole) into buf; returns buf. */
const char *obs_format_time(double t, char *buf, size_t size);

#endif
