/* fuzz_units.c - libFuzzer harness over the unit parsers (numbers,
 * integers, durations, sizes, rates, fractions) and duration formatting. */
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	if (!s)
		return 0;
	double x;
	long long i;
	sim_time_t t;
	char buf[64];
	sim_parse_number(s, &x);
	sim_parse_integer(s, &i);
	if (sim_parse_duration(s, &t) == 0)
		sim_format_duration(buf, sizeof(buf), t);
	sim_parse_duration_s(s, &x);
	sim_parse_size(s, &x);
	sim_parse_rate(s, &x);
	sim_parse_fraction(s, &x);
	sim_units_classify(s);
	free(s);
	return 0;
}
