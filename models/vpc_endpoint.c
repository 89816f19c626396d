/* vpc_endpoint.c - a VPC endpoint: an interface endpoint (PrivateLink),
 * billed per AZ-hour and per GB processed, or a gateway endpoint (S3,
 * DynamoDB), free.
 *
 * Bills (FACTS 6, "Interface endpoint hourly" and "Interface endpoint
 * data", https://aws.amazon.com/privatelink/pricing/): every hour of the
 * window in each availability zone it is in (a partial hour is a full
 * hour: the window is rounded up); every GB through it, at the first
 * tier's price; the share of the bytes crossing an AZ to reach it (FACTS 6,
 * "Inter-AZ transfer"). Bytes go both ways (netpath.h): requests out and
 * responses in are both processed and both cross the AZ. Gateway endpoints have no hourly or per-GB charge
 * (FACTS 6, "Gateway endpoints").
 */
#include <math.h>
#include <stdlib.h>

#include "models/netpath.h"
#include "models/registry.h"
#include "sim/metrics.h"
#include "sim/run.h"

struct vpce_config {
	int64_t azs;       /* availability zones it is in */
	double cross_az;   /* share of the bytes crossing an AZ to reach it */
	bool gateway;      /* a gateway endpoint (free) */
	double in_per_out; /* bytes in per byte out (callers stating only out) */
};

#define F(...) SCN_FIELD(struct vpce_config, __VA_ARGS__)

static const struct scn_field vpce_fields[] = {
	F("availability_zones", SCN_INT, 0, 1, 32, "2", azs,
	  "zones the interface endpoint is in, each billed by the hour"),
	F("cross_az", SCN_FRACTION, 0, 0, 1, "0%", cross_az,
	  "share of the bytes that crosses an AZ to reach it"),
	F("gateway", SCN_BOOL, 0, 0, 0, "false", gateway,
	  "a gateway endpoint (S3, DynamoDB): no hourly or per-GB charge"),
	F("bytes_in_per_out", SCN_NUMBER, 0, 0, 1e6, "0", in_per_out,
	  "bytes that come back in (responses, downloads) per byte a caller sends out"),
};

static const struct scn_schema vpce_schema = {
	.name = "vpc_endpoint",
	.fields = vpce_fields,
	.n = sizeof(vpce_fields) / sizeof(vpce_fields[0]),
};

struct vpce {
	struct netpath path; /* must be first */
	const struct vpce_config *cfg;
};

static struct model *vpce_create(const void *config, const char *name,
				 struct sim_run *run)
{
	struct vpce *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->cfg = config;
	v->path.cross_az = v->cfg->cross_az;
	v->path.in_per_out = v->cfg->in_per_out;
	(void)name;
	(void)run;
	return &v->path.base;
}

static void vpce_restart(struct model *m, struct sim *s)
{
	(void)s;
	struct netpath *p = &((struct vpce *)m)->path;
	p->bytes_out = p->bytes_in = 0;
}

static void vpce_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct vpce *v = (struct vpce *)m;
	double bytes = v->path.bytes_out + v->path.bytes_in;
	double gb = bytes / NETPATH_GB;
	sim_results_put(res, m->name, "BytesProcessed", "bytes", bytes);
	sim_results_put(res, m->name, "BytesOut", "bytes", v->path.bytes_out);
	sim_results_put(res, m->name, "BytesIn", "bytes", v->path.bytes_in);
	sim_results_meter(res, m->name, "AWS Data Transfer", "CrossAZ", "GB",
			  "transfer.cross_az_gb", gb * v->cfg->cross_az);
	if (v->cfg->gateway)
		return;
	/* "partial hour = full hour" (FACTS 6, "Interface endpoint hourly"). */
	double hours = ceil(sim_time_to_s(s->now - m->run->scn->warmup) / 3600.0 - 1e-9);
	sim_results_meter(res, m->name, "AWS PrivateLink", "EndpointAZHours",
			  "endpoint-AZ-hour", "vpc_endpoint.az_hour",
			  (double)v->cfg->azs * hours);
	sim_results_meter(res, m->name, "AWS PrivateLink", METRIC_DATA_PROCESSED, "GB",
			  "vpc_endpoint.gb", gb);
}

static void vpce_destroy(struct model *m)
{
	free(m);
}

const struct model_ops vpc_endpoint_ops = {
	.name = "vpc_endpoint",
	.help = "VPC endpoint (interface or gateway): AZ-hours, GB processed",
	.schema = &vpce_schema,
	.config_size = sizeof(struct vpce_config),
	.create = vpce_create,
	.restart = vpce_restart,
	.finish = vpce_finish,
	.destroy = vpce_destroy,
};

struct netpath *netpath_from_model(struct model *m)
{
	return m && (m->ops == &vpc_endpoint_ops || m->ops == &nat_gateway_ops)
		       ? (struct netpath *)m
		       : NULL;
}
