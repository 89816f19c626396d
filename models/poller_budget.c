/* poller_budget.c - per-second byte and call budgets of event source
 * pollers (see poller_budget.h). */
#include "models/poller_budget.h"

void poller_budget_start(struct poller_budget *b, sim_time_t now)
{
	*b = (struct poller_budget){ .second = now / SIM_S };
}

void poller_budget_roll(struct poller_budget *b, sim_time_t now, uint64_t allowance)
{
	int64_t sec = now / SIM_S;
	if (sec == b->second)
		return;
	uint64_t used = b->bytes + b->debt;
	if (b->bytes > b->peak_bytes)
		b->peak_bytes = b->bytes;
	if (b->calls > b->peak_calls)
		b->peak_calls = b->calls;
	b->debt = sec == b->second + 1 && used > allowance ? used - allowance : 0;
	b->bytes = 0;
	b->calls = 0;
	b->second = sec;
}

uint64_t poller_budget_left(struct poller_budget *b, sim_time_t now, uint64_t allowance)
{
	poller_budget_roll(b, now, allowance);
	uint64_t used = b->bytes + b->debt;
	return allowance > used ? allowance - used : 0;
}

void poller_budget_restart(struct poller_budget *b)
{
	b->peak_bytes = 0;
	b->peak_calls = 0;
}

uint64_t poller_budget_peak_bytes(const struct poller_budget *b)
{
	return b->bytes > b->peak_bytes ? b->bytes : b->peak_bytes;
}

int64_t poller_budget_peak_calls(const struct poller_budget *b)
{
	return b->calls > b->peak_calls ? b->calls : b->peak_calls;
}
