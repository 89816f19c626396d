/* nat_gateway.c - a NAT gateway: hourly, per GB processed (both
 * directions, any destination), plus the transfer it causes.
 *
 * Traffic has two directions (netpath.h): bytes out (the callers'
 * requests, uploads) and bytes in (responses, downloads), either stated by
 * the caller or `bytes_in_per_out` times the bytes out.
 *
 * Bills (FACTS 6, "NAT gateway hourly" and "NAT data processing",
 * https://cloudburn.io/blog/aws-nat-gateway-pricing): one gateway per
 * availability zone, each billed every hour of the window; every GB through
 * it in either direction; the share of the bytes (both directions) that
 * crosses an AZ to reach it (a gateway in one AZ serving functions in
 * others; FACTS 6 "Inter-AZ transfer", $0.01/GB in each direction); and,
 * when the peer is on the internet, internet egress on the bytes out only
 * (FACTS 6, "Internet egress"; transfer in from the internet is free:
 * https://wring.co/blog/aws-data-transfer-pricing-guide), priced with its monthly volume tiers
 * by the cost report (reports/pricing/us-east-1.yaml). Traffic to AWS
 * services in the same region through the gateway pays processing but no
 * egress.
 */
#include <stdlib.h>

#include "models/describe.h"
#include "models/netpath.h"
#include "models/registry.h"
#include "sim/metrics.h"
#include "sim/run.h"

struct nat_config {
	int64_t azs;       /* gateways, one per AZ */
	double cross_az;   /* share of the bytes crossing an AZ to reach one */
	bool internet;     /* the peer is on the internet: bytes out are egress */
	double in_per_out; /* bytes in per byte out (callers stating only out) */
};

#define F(...) SCN_FIELD(struct nat_config, __VA_ARGS__)

static const struct scn_field nat_fields[] = {
	F("availability_zones", SCN_INT, 0, 1, 32, "1", azs,
	  "gateways, one per availability zone, each billed by the hour"),
	F("cross_az", SCN_FRACTION, 0, 0, 1, "0%", cross_az,
	  "share of the bytes that crosses an AZ to reach a gateway"),
	F("internet", SCN_BOOL, 0, 0, 0, "false", internet,
	  "the peer is on the internet: the bytes out are also billed as internet egress (bytes in are free)"),
	F("bytes_in_per_out", SCN_NUMBER, 0, 0, 1e6, "0", in_per_out,
	  "bytes that come back in (responses, downloads) per byte a caller sends out"),
};

static const struct scn_schema nat_schema = {
	.name = "nat_gateway",
	.fields = nat_fields,
	.n = sizeof(nat_fields) / sizeof(nat_fields[0]),
};

struct nat {
	struct netpath path; /* must be first */
	const struct nat_config *cfg;
};

static struct model *nat_create(const void *config, const char *name,
				struct sim_run *run)
{
	struct nat *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->cfg = config;
	n->path.cross_az = n->cfg->cross_az;
	n->path.in_per_out = n->cfg->in_per_out;
	(void)name;
	(void)run;
	return &n->path.base;
}

static void nat_restart(struct model *m, struct sim *s)
{
	(void)s;
	struct netpath *p = &((struct nat *)m)->path;
	p->bytes_out = p->bytes_in = 0;
}

static void nat_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct nat *n = (struct nat *)m;
	double hours = sim_time_to_s(s->now - m->run->scn->warmup) / 3600.0;
	double bytes = n->path.bytes_out + n->path.bytes_in;
	double gb = bytes / NETPATH_GB;
	sim_results_put(res, m->name, "BytesProcessed", "bytes", bytes);
	sim_results_put(res, m->name, "BytesOut", "bytes", n->path.bytes_out);
	sim_results_put(res, m->name, "BytesIn", "bytes", n->path.bytes_in);
	sim_results_meter(res, m->name, "Amazon VPC", "NATGatewayHours",
			  "NAT-gateway-hour", "nat_gateway.hour",
			  (double)n->cfg->azs * hours);
	sim_results_meter(res, m->name, "Amazon VPC", METRIC_DATA_PROCESSED, "GB",
			  "nat_gateway.gb", gb);
	sim_results_meter(res, m->name, "AWS Data Transfer", "CrossAZ", "GB",
			  "transfer.cross_az_gb", gb * n->cfg->cross_az);
	if (n->cfg->internet)
		sim_results_meter(res, m->name, "AWS Data Transfer", "InternetEgress",
				  "GB", "transfer.internet_egress_gb",
				  n->path.bytes_out / NETPATH_GB);
}

static void nat_destroy(struct model *m)
{
	free(m);
}

/* What the review reads of a NAT gateway (sim/report_desc.h): its data is
 * billed per GB, and an interface endpoint bills less (FACTS 6), unless
 * the peer is on the internet, which no VPC endpoint reaches. */
static void nat_facts(const struct scenario *scn, const struct scn_entry *e,
		      struct model_facts *f)
{
	const struct nat_config *c = e->config;
	(void)scn;
	f->roles = MODEL_DATA_PATH;
	f->price_key = "nat_gateway.gb";
	f->cheaper_price_key = c->internet ? NULL : "vpc_endpoint.gb";
}

static const struct model_report nat_gateway_report = {
	.facts = nat_facts,
};

const struct model_ops nat_gateway_ops = {
	.name = "nat_gateway",
	.help = "NAT gateway: hours, GB processed, cross-AZ and internet transfer",
	.schema = &nat_schema,
	.config_size = sizeof(struct nat_config),
	.create = nat_create,
	.restart = nat_restart,
	.finish = nat_finish,
	.destroy = nat_destroy,
	.report = &nat_gateway_report,
};
