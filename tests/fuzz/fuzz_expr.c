/* fuzz_expr.c - libFuzzer harness over the command line's expressions:
 * `--set PATH=VALUE` applied to a small scenario and validated, `--vary`
 * and `--require`. */
#include <stdlib.h>
#include <string.h>

#include "cli/grid.h"
#include "cli/require.h"
#include "models/registry.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
	"duration: 10m\n"
	"tenants:\n"
	"  t: {target: q, arrivals: {poisson: {rate: 5/s}}}\n"
	"resources:\n"
	"  q: {type: sqs, dead_letter: {target: dlq, max_receive_count: 3}}\n"
	"  dlq: {type: sqs}\n"
	"  fn:\n"
	"    type: lambda\n"
	"    duration: {per_batch: 0s, per_message: 100ms}\n"
	"    event_sources: [{queue: q, batch_size: 10}]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Written again when missing (another run's clean-up may take it). */
	static char path[128];
	if (!*path || access(path, F_OK) != 0) {
		const char *p = fuzz_file((const uint8_t *)base, sizeof(base) - 1, "base.yaml");
		snprintf(path, sizeof(path), "%s", p ? p : "");
	}
	char *s = fuzz_string(data, size);
	if (!s || !*path) {
		free(s);
		return 0;
	}
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	const char *sets[] = { s };
	if (scenario_load(&scn, path, sets, 1, &spillway_registry, &d) == 0)
		scenario_finish(&scn);
	fuzz_diag_done(&d);

	char err[512];
	struct vary v;
	if (vary_parse(&v, s, err, sizeof(err)) == 0)
		vary_free(&v);
	struct requirement r;
	size_t col;
	if (req_parse(&r, s, err, sizeof(err), &col) == 0)
		req_free(&r);
	free(s);
	return 0;
}
