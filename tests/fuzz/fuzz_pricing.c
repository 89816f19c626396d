/* fuzz_pricing.c - libFuzzer harness over the pricing file loader. */
#include <stdlib.h>
#include <string.h>

#include "reports/pricing.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "pricing.yaml");
	if (!path)
		return 0;
	struct diag d;
	struct pricing p;
	diag_init(&d);
	if (pricing_load(&p, path, &d) == 0)
		pricing_finish(&p);
	fuzz_diag_done(&d);
	return 0;
}
