/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli bench MODEL [--threads N] [--runs N] [--warmup N]
 *                        [--shape NAME=DIMS] [--no-optimize] [--top N] [--json]
 *
 * Runs the model on seeded random inputs of its input shapes: warm-up runs
 * first (untimed), then `runs` timed ones. Reports the minimum and median
 * latency (wall time of the whole run) and, per operator type, the mean
 * time summed over its nodes and its share of all node time; with --top,
 * the N slowest steps too. A step counts as the operator it ran as: a QDQ
 * convolution the simulator fused is a QLinearConv, not the
 * DequantizeLinear it starts with.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-cli-sim.h"
#include "lamina-json.h"

typedef struct {
  const char *op;
  guint       nodes;
  double      ms;      /* summed over the timed runs */
} OpTime;

typedef struct {
  GArray *latencies;   /* double ms, one per timed run */
  GArray *ops;         /* OpTime */
  double  node_ms;     /* all node time over the timed runs */
  double *step_ms;     /* per step, summed over the timed runs */
} BenchResult;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static OpTime *
op_entry (GArray *ops, const char *op)
{
  OpTime fresh = { op, 0, 0 };

  for (guint i = 0; i < ops->len; i++)
    if (strcmp (g_array_index (ops, OpTime, i).op, op) == 0)
      return &g_array_index (ops, OpTime, i);
  g_array_append_val (ops, fresh);
  return &g_array_index (ops, OpTime, ops->len - 1);
}

static void
add_node_times (BenchResult *r, LaminaSim *sim)
{
  for (guint i = 0; i < lamina_sim_n_steps (sim); i++)
    {
      double ms = MAX (lamina_sim_node_ms (sim, lamina_sim_step_node (sim, i)), 0);
      op_entry (r->ops, lamina_sim_step_op (sim, i))->ms += ms;
      r->step_ms[i] += ms;
      r->node_ms += ms;
    }
}

static void
count_nodes (GArray *ops, LaminaSim *sim)
{
  for (guint i = 0; i < lamina_sim_n_steps (sim); i++)
    op_entry (ops, lamina_sim_step_op (sim, i))->nodes++;
}

static gboolean
bench (LaminaSim *sim, int warmup, int runs, BenchResult *r, GError **error)
{
  count_nodes (r->ops, sim);
  for (int i = 0; i < warmup + runs; i++)
    {
      double start;
      lamina_sim_reset (sim);
      start = now_ms ();
      if (!lamina_sim_run (sim, error))
        return FALSE;
      if (i >= warmup)
        {
          double ms = now_ms () - start;
          g_array_append_val (r->latencies, ms);
          add_node_times (r, sim);
        }
    }
  return TRUE;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static int
compare_op_time (gconstpointer a, gconstpointer b)
{
  const OpTime *x = a, *y = b;

  if (x->ms != y->ms)
    return x->ms > y->ms ? -1 : 1;
  return strcmp (x->op, y->op);
}

static double
median (GArray *sorted)
{
  guint n = sorted->len;

  return n % 2 ? g_array_index (sorted, double, n / 2)
               : (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static void print_top_text (LaminaSim *sim, const BenchResult *r, guint top);
static void print_top_json (LaminaJson *json, LaminaSim *sim, const BenchResult *r, guint top);

static void
print_json (const char *path, LaminaSim *sim, int warmup, BenchResult *r, guint top)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;
  guint runs = r->latencies->len;

  lamina_json_begin_object (json);
  lamina_json_key (json, "file");
  lamina_json_string (json, path);
  lamina_json_key (json, "threads");
  lamina_json_int (json, lamina_sim_threads (sim));
  lamina_json_key (json, "runs");
  lamina_json_int (json, runs);
  lamina_json_key (json, "warmup");
  lamina_json_int (json, warmup);
  lamina_json_key (json, "min_ms");
  lamina_json_double (json, g_array_index (r->latencies, double, 0));
  lamina_json_key (json, "median_ms");
  lamina_json_double (json, median (r->latencies));
  lamina_json_key (json, "ops");
  lamina_json_begin_array (json);
  for (guint i = 0; i < r->ops->len; i++)
    {
      const OpTime *o = &g_array_index (r->ops, OpTime, i);
      lamina_json_begin_object (json);
      lamina_json_key (json, "op");
      lamina_json_string (json, o->op);
      lamina_json_key (json, "nodes");
      lamina_json_int (json, o->nodes);
      lamina_json_key (json, "ms");
      lamina_json_double (json, o->ms / runs);
      lamina_json_key (json, "percent");
      lamina_json_double (json, r->node_ms > 0 ? 100 * o->ms / r->node_ms : 0);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
  if (top > 0)
    print_top_json (json, sim, r, top);
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

static void
print_text (const char *path, LaminaSim *sim, int warmup, BenchResult *r, guint top)
{
  guint runs = r->latencies->len;

  printf ("%-12s %s\n", _("Model"), path);
  printf ("%-12s %d\n", _("Threads"), lamina_sim_threads (sim));
  printf ("%-12s %u (+%d %s)\n", _("Runs"), runs, warmup, _("warm-up"));
  printf ("%-12s %s %.3f ms, %s %.3f ms\n", _("Latency"), _("min"), g_array_index (r->latencies, double, 0),
          _("median"), median (r->latencies));
  printf ("\n%-24s %6s %12s %8s\n", _("Operator"), _("Nodes"), _("Time (ms)"), _("Share"));
  for (guint i = 0; i < r->ops->len; i++)
    {
      const OpTime *o = &g_array_index (r->ops, OpTime, i);
      printf ("%-24s %6u %12.3f %7.1f%%\n", o->op, o->nodes, o->ms / runs,
              r->node_ms > 0 ? 100 * o->ms / r->node_ms : 0);
    }
  if (top > 0)
    print_top_text (sim, r, top);
}

typedef struct {
  guint  step;
  double ms;
} StepTime;

static int
compare_step_time (gconstpointer a, gconstpointer b)
{
  const StepTime *x = a, *y = b;

  return x->ms != y->ms ? (x->ms > y->ms ? -1 : 1) : (x->step > y->step) - (x->step < y->step);
}

/* The n slowest steps, slowest first. */
static GArray *
slowest_steps (LaminaSim *sim, const BenchResult *r, guint n)
{
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (StepTime));

  for (guint i = 0; i < lamina_sim_n_steps (sim); i++)
    if (r->step_ms[i] > 0)
      g_array_append_val (steps, ((StepTime) { i, r->step_ms[i] }));
  g_array_sort (steps, compare_step_time);
  g_array_set_size (steps, MIN (steps->len, n));
  return steps;
}

static const char *
step_name (LaminaSim *sim, guint i)
{
  const LaminaNode *node = lamina_sim_step_node (sim, i);

  return node->name && *node->name ? node->name : _("(unnamed)");
}

static void
print_top_text (LaminaSim *sim, const BenchResult *r, guint top)
{
  g_autoptr(GArray) steps = slowest_steps (sim, r, top);
  guint runs = r->latencies->len;

  if (steps->len == 0)
    return;
  printf ("\n%-6s %-16s %12s %8s  %s\n", _("Step"), _("Operator"), _("Time (ms)"), _("Share"), _("Node"));
  for (guint i = 0; i < steps->len; i++)
    {
      const StepTime *st = &g_array_index (steps, StepTime, i);
      printf ("%-6u %-16s %12.3f %7.1f%%  %s\n", st->step, lamina_sim_step_op (sim, st->step), st->ms / runs,
              r->node_ms > 0 ? 100 * st->ms / r->node_ms : 0, step_name (sim, st->step));
    }
}

static void
print_top_json (LaminaJson *json, LaminaSim *sim, const BenchResult *r, guint top)
{
  g_autoptr(GArray) steps = slowest_steps (sim, r, top);

  lamina_json_key (json, "slowest");
  lamina_json_begin_array (json);
  for (guint i = 0; i < steps->len; i++)
    {
      const StepTime *st = &g_array_index (steps, StepTime, i);
      lamina_json_begin_object (json);
      lamina_json_key (json, "step");
      lamina_json_int (json, st->step);
      lamina_json_key (json, "op");
      lamina_json_string (json, lamina_sim_step_op (sim, st->step));
      lamina_json_key (json, "node");
      lamina_json_string (json, lamina_sim_step_node (sim, st->step)->name);
      lamina_json_key (json, "ms");
      lamina_json_double (json, st->ms / r->latencies->len);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
}

static int
bench_model (const char *path, LaminaModel *model, int threads, int runs, int warmup, char **shapes,
             gboolean no_optimize, guint top, gboolean as_json)
{
  LaminaSimOptions options = { threads, .optimize = no_optimize ? LAMINA_SIM_OPTIMIZE_NONE : 0 };
  LaminaCliInputs inputs = { NULL, shapes, LAMINA_CLI_FILL_RANDOM, 0 };
  g_autoptr(LaminaSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (OpTime));
  g_autofree double *step_ms = NULL;
  BenchResult r = { latencies, ops, 0, NULL };

  sim = lamina_sim_new (model, model->graph, &options, &error);
  if (sim != NULL)
    r.step_ms = step_ms = g_new0 (double, MAX (lamina_sim_n_steps (sim), 1));
  if (sim == NULL || !lamina_cli_set_inputs (sim, model->graph, &inputs, &error) ||
      !bench (sim, warmup, runs, &r, &error))
    return lamina_cli_fail ("bench", "%s: %s", path, error->message);
  g_array_sort (latencies, compare_doubles);
  g_array_sort (ops, compare_op_time);
  if (as_json)
    print_json (path, sim, warmup, &r, (guint) top);
  else
    print_text (path, sim, warmup, &r, (guint) top);
  return 0;
}

int
lamina_cli_bench (int argc, char **argv)
{
  int threads = 0, runs = 10, warmup = 1, top = 0;
  gboolean as_json = FALSE, no_optimize = FALSE;
  g_auto(GStrv) shapes = NULL;
  const GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, N_("Worker threads (default: all cores)"), "N" },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, N_("Timed runs (default 10)"), "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, N_("Untimed runs first (default 1)"), "N" },
    { "shape", 0, 0, G_OPTION_ARG_STRING_ARRAY, &shapes, N_("Size of a dynamic input"), N_("NAME=1x3x640x640") },
    { "no-optimize", 0, 0, G_OPTION_ARG_NONE, &no_optimize, N_("Run the graph as written: no constant folding, no fusion"), NULL },
    { "top", 0, 0, G_OPTION_ARG_INT, &top, N_("Also list the N slowest steps"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(LaminaModel) model = NULL;

  if (!lamina_cli_parse (&argc, &argv, "bench", "MODEL", entries))
    return 2;
  if (argc != 2)
    return lamina_cli_fail ("bench", "%s", _("expected exactly one MODEL file"));
  if (threads < 0 || runs < 1 || warmup < 0 || top < 0)
    return lamina_cli_fail ("bench", "%s", _("--threads, --warmup and --top must be 0 or more, --runs at least 1"));
  model = lamina_cli_load_model ("bench", argv[1]);
  if (model == NULL)
    return 1;
  return bench_model (argv[1], model, threads, runs, warmup, shapes, no_optimize, top, as_json);
}
