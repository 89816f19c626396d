/* fuzz_scenario.c - libFuzzer harness over the scenario loader: YAML ->
 * validated configuration -> linked models, as `spillway check` does. Any
 * input must give diagnostics or a scenario, never a crash, a hang or a
 * sanitizer report. */
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "yaml");
	if (!path)
		return 0;
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	if (scenario_load(&scn, path, NULL, 0, &spillway_registry, &d) == 0) {
		struct sim_run_options opt = { .link_only = true };
		struct sim_outcome o;
		sim_run_scenario(&scn, &opt, &d, &o);
		sim_outcome_finish(&o);
		scenario_finish(&scn);
	}
	fuzz_diag_done(&d);
	return 0;
}
