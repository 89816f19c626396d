/* main.c - the spillway command line: dispatch to the commands, the
 * global options and help. The command files beside it (cli/) are the only
 * place that wires the engine (sim/), the model registry (models/) and the
 * report writers (reports/) together:
 *
 *   run.c      run and check: options, loading, the output directory's
 *              installation, signals
 *   guards.c   the memory and disk guards
 *   review.c   the review of a run: what-ifs, findings.json
 *   report.c   report: redraw a finished run
 *   sweep.c    sweep, and what plan shares with it (options, points, MPI)
 *   plan.c     plan
 *   validate.c validate: the validation suite (validation/cases)
 *   observe.c  measured series bound to a scenario's simulated ones
 *   compare.c  compare and export, and what calibrate shares with them
 *   calibrate.c calibrate: fit scenario values to a monitoring export
 *
 *   spillway run SCENARIO [-o DIR] [--seed N] [--replications N]
 *                [--set PATH=VALUE]... [--quiet]
 *   spillway check SCENARIO [--set PATH=VALUE]...
 *   spillway help [TYPE]
 *   spillway --help | --version | --list-models
 *
 * Exit status: 0 success, 1 run failure, 2 bad input (scenario or usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/obscmd.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/scenario.h"
#include "sim/schema.h"
#include "sim/text.h"

static const char usage_main[] =
	"Usage: spillway COMMAND [OPTIONS]\n"
	"\n"
	"A deterministic discrete-event simulator and capacity planner for\n"
	"serverless queue architectures.\n"
	"\n"
	"Commands:\n"
	"  run SCENARIO     simulate a scenario and write its outputs\n"
	"  check SCENARIO   validate a scenario without simulating it\n"
	"  sweep SCENARIO --vary PATH=V1,V2,...\n"
	"                   run every point of a grid of values (what-if)\n"
	"  plan SCENARIO --vary ... --require EXPR\n"
	"                   the cheapest point of a grid meeting requirements\n"
	"  report DIR       redraw a finished run's plots and report\n"
	"  validate [CASE...]\n"
	"                   run the validation suite: published figures (real\n"
	"                   measurements, queueing theory) against simulated ones\n"
	"  compare SCENARIO --observed FILE\n"
	"                   a scenario against a monitoring export (CloudWatch\n"
	"                   get-metric-data JSON or CSV): errors per series\n"
	"  calibrate SCENARIO --observed FILE --fit PATH[=LOW..HIGH]...\n"
	"                   fit scenario values to a monitoring export\n"
	"  export SCENARIO  a run's series as a CloudWatch export\n"
	"  help [TYPE]      the scenario format: top-level keys, tenants, and\n"
	"                   the keys of each resource type (or of TYPE only)\n"
	"\n"
	"Options:\n"
	"  -h, --help       this help (spillway COMMAND --help for a command)\n"
	"  -V, --version    print the version\n"
	"      --list-models  list the resource types\n"
	"\n"
	"Exit status: 0 success, 1 run failure, 2 bad input.\n";

static const char usage_help[] =
	"Usage: spillway help [TYPE]\n"
	"\n"
	"Prints the scenario format reference: every key with its kind, default,\n"
	"range and meaning; for TYPE (e.g. station or tenant) only that part.\n";

static void list_models(FILE *f)
{
	for (size_t i = 0; spillway_registry.types[i]; i++)
		fprintf(f, "%-14s %s\n", spillway_registry.types[i]->name,
			spillway_registry.types[i]->help);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_help, stdout);
		return 0;
	}
	const char *only = argc > 1 ? argv[1] : NULL;
	bool found = false;
	if (!only || !strcmp(only, "scenario")) {
		puts("Top level:");
		scn_print_reference(stdout, &scenario_schema, 2);
		puts("  tenants              map, optional\n      tenant name -> tenant settings (below)");
		puts("  resources            map, required\n      resource name -> resource settings, each with type: (below)");
		found = true;
	}
	if (!only || !strcmp(only, "tenant")) {
		puts("\nTenant (tenants.NAME):");
		scn_print_reference(stdout, spillway_registry.tenant->schema, 2);
		found = true;
	}
	for (size_t i = 0; spillway_registry.types[i]; i++) {
		const struct model_ops *ops = spillway_registry.types[i];
		if (only && strcmp(only, ops->name))
			continue;
		printf("\nResource type %s (resources.NAME with type: %s): %s\n",
		       ops->name, ops->name, ops->help);
		struct scn_schema buf;
		struct scn_field *fields;
		scn_print_reference(stdout, scenario_type_schema(&spillway_registry, ops,
								 &buf, &fields), 2);
		free(fields);
		found = true;
	}
	if (!only) {
		puts("\nValues: durations 250ms 30s 15m 2h 14d; sizes 512B 256KB 1MB 6MiB;");
		puts("rates 200/s 12000/m 5/h; fractions 0.7 or 70%; distributions: a constant");
		puts("or {exponential: {mean}}, {lognormal: {median, p99}} or {lognormal: {mu, sigma}},");
		puts("{gamma: {mean, cv}}, {uniform: {min, max}}, {normal: {mean, sd}} (truncated at 0),");
		puts("{pareto: {shape, scale}}, {empirical: {file}} (one value per line).");
	}
	if (!found) {
		sim_text_fprintf(stderr, "spillway: help: no type named '%s'; types: scenario, tenant", only);
		for (size_t i = 0; spillway_registry.types[i]; i++)
			fprintf(stderr, ", %s", spillway_registry.types[i]->name);
		fputc('\n', stderr);
		return EXIT_INPUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_INPUT;
	}
	const char *cmd = argv[1];
	sim_alloc_on_failure(cli_out_of_memory);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("spillway %s\n", SPILLWAY_VERSION);
#ifdef SPILLWAY_MPI
		puts("built with MPI: mpirun -n N spillway sweep|plan ... spreads the points over N ranks");
#endif
		return 0;
	}
	if (!strcmp(cmd, "--list-models")) {
		list_models(stdout);
		return 0;
	}
	if (!strcmp(cmd, "run") || !strcmp(cmd, "sweep") || !strcmp(cmd, "plan") ||
	    !strcmp(cmd, "validate") || !strcmp(cmd, "compare") || !strcmp(cmd, "calibrate"))
		cli_catch_signals(true);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc - 1, argv + 1);
	if (!strcmp(cmd, "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(cmd, "calibrate"))
		return cmd_calibrate(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc - 1, argv + 1);
	static const char *const cmds[] = { "run", "check", "sweep", "plan", "report",
					    "validate", "compare", "calibrate", "export", "help",
					    NULL };
	const char *hint = diag_suggest(cmd, cmds);
	sim_text_fprintf(stderr, "spillway: unknown command '%s'%s%s%s (see spillway --help)\n",
		cmd, hint ? " (did you mean '" : "", hint ? hint : "",
		hint ? "'?)" : "");
	return EXIT_INPUT;
}

