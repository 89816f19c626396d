/* fuzz_observed.c - libFuzzer harness over the monitoring-export reader
 * (CloudWatch get-metric-data JSON pages, CSV): whatever the bytes, a
 * series set or a diagnostic, never a crash or a leak. */
#include <stdlib.h>
#include <string.h>

#include "sim/observed.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "export.json");
	if (!path)
		return 0;
	struct diag d;
	struct obs_set set;
	diag_init(&d);
	if (obs_load(&set, path, &d) == 0) {
		for (size_t i = 0; i < set.n; i++)
			(void)obs_match(&set.s[i], "orders", "NumberOfMessagesSent");
		obs_finish(&set);
	}
	fuzz_diag_done(&d);
	return 0;
}
