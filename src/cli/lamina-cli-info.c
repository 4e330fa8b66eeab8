/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli info MODEL [--json]: what is in a model file.
 * In JSON, `nodes` is the number of operators of the main graph exactly as
 * stored in the file (ONNX: every graph.node, Constant nodes included;
 * TFLite: the operators of subgraph 0).
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <stdio.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-json.h"
#include "sim/lamina-sim.h"

typedef struct {
  const char *op;
  guint       count;
} OpCount;

/* Operator histogram of a list of nodes (unsorted). */
static GArray *
count_ops (GPtrArray *nodes)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *result = g_array_new (FALSE, FALSE, sizeof (OpCount));
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (nodes, i);
      guint c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, n->op_type));
      g_hash_table_insert (counts, n->op_type, GUINT_TO_POINTER (c + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      OpCount oc = { key, GPOINTER_TO_UINT (value) };
      g_array_append_val (result, oc);
    }
  return result;
}

static int
compare_op_counts (gconstpointer a, gconstpointer b)
{
  const OpCount *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return g_strcmp0 (x->op, y->op);
}

static const char *
opset_domain_name (const LaminaOpset *o)
{
  return o->domain && o->domain[0] ? o->domain : "ai.onnx";
}

static void
json_shape (LaminaJson *json, const LaminaShape *shape)
{
  if (shape->rank < 0)
    {
      lamina_json_null (json);
      return;
    }
  lamina_json_begin_array (json);
  for (int i = 0; i < shape->rank; i++)
    {
      const LaminaDim *d = &shape->dims[i];
      if (d->value >= 0)
        lamina_json_int (json, d->value);
      else if (d->symbol && d->symbol[0])
        lamina_json_string (json, d->symbol);
      else
        lamina_json_null (json);
    }
  lamina_json_end_array (json);
}

/* {"Conv": 12, ...} under key */
static void
json_op_counts (LaminaJson *json, const char *key, GArray *counts)
{
  lamina_json_key (json, key);
  lamina_json_begin_object (json);
  for (guint i = 0; i < counts->len; i++)
    {
      const OpCount *oc = &g_array_index (counts, OpCount, i);
      lamina_json_key (json, oc->op);
      lamina_json_int (json, oc->count);
    }
  lamina_json_end_object (json);
}

static void
json_tensor_list (LaminaJson *json, const char *key, GPtrArray *tensors)
{
  lamina_json_key (json, key);
  lamina_json_begin_array (json);
  for (guint i = 0; i < tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (tensors, i);
      lamina_json_begin_object (json);
      lamina_json_key (json, "name");
      lamina_json_string (json, t->name);
      lamina_json_key (json, "dtype");
      lamina_json_string (json, lamina_dtype_name (t->dtype));
      lamina_json_key (json, "shape");
      json_shape (json, &t->shape);
      if (t->quant && t->quant->n == 1)
        {
          lamina_json_key (json, "scale");
          lamina_json_double (json, t->quant->scale[0]);
          lamina_json_key (json, "zero_point");
          lamina_json_int (json, t->quant->zero_point[0]);
        }
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
}

/* Operator counts of `nodes` (taken), most frequent first: the nodes
 * without a simulator kernel, or those that run as float fallback. */
static GArray *
count_sorted (GPtrArray *nodes)
{
  g_autoptr(GPtrArray) owned = nodes;
  GArray *ops = count_ops (owned);

  g_array_sort (ops, compare_op_counts);
  return ops;
}

static void
print_json (const LaminaModel *model, const char *path)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autoptr(GArray) ops = count_ops (model->graph->nodes);
  g_autoptr(GArray) unsupported = count_sorted (lamina_sim_unsupported_nodes (model->graph));
  g_autoptr(GArray) fallback = count_sorted (lamina_sim_fallback_nodes (model->graph));
  g_autofree char *text = NULL;
  guint64 n_params, n_bytes;

  lamina_model_parameter_totals (model, &n_params, &n_bytes);
  g_array_sort (ops, compare_op_counts);

  lamina_json_begin_object (json);
  lamina_json_key (json, "file");
  lamina_json_string (json, path);
  lamina_json_key (json, "format");
  lamina_json_string (json, lamina_format_name (model->format));
  lamina_json_key (json, "format_version");
  lamina_json_string (json, model->format_version);
  lamina_json_key (json, "kind");
  lamina_json_string (json, lamina_kind_name (model->kind));
  lamina_json_key (json, "producer");
  lamina_json_string (json, model->producer);
  lamina_json_key (json, "opsets");
  lamina_json_begin_array (json);
  for (guint i = 0; i < model->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
      lamina_json_begin_object (json);
      lamina_json_key (json, "domain");
      lamina_json_string (json, opset_domain_name (o));
      lamina_json_key (json, "version");
      lamina_json_int (json, o->version);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
  json_tensor_list (json, "inputs", model->graph->inputs);
  json_tensor_list (json, "outputs", model->graph->outputs);
  lamina_json_key (json, "nodes");
  lamina_json_int (json, model->graph->nodes->len);
  lamina_json_key (json, "nodes_with_subgraphs");
  lamina_json_int (json, lamina_graph_count_nodes_recursive (model->graph));
  lamina_json_key (json, "graphs");
  lamina_json_int (json, model->graphs->len);
  json_op_counts (json, "ops", ops);
  json_op_counts (json, "unsupported", unsupported);
  json_op_counts (json, "float_fallback", fallback);
  lamina_json_key (json, "parameters");
  lamina_json_int (json, (gint64) n_params);
  lamina_json_key (json, "parameter_bytes");
  lamina_json_int (json, (gint64) n_bytes);
  lamina_json_key (json, "metadata");
  lamina_json_begin_object (json);
  for (guint i = 0; i < model->metadata->len; i++)
    {
      const LaminaMetadata *m = &g_array_index (model->metadata, LaminaMetadata, i);
      lamina_json_key (json, m->key);
      lamina_json_string (json, m->value);
    }
  lamina_json_end_object (json);
  lamina_json_end_object (json);

  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

/* One row per operator, the label on the first. */
static void
print_op_counts (const char *label, GArray *counts)
{
  for (guint i = 0; i < counts->len; i++)
    printf ("%-12s %5u  %s\n", i == 0 ? label : "",
            g_array_index (counts, OpCount, i).count, g_array_index (counts, OpCount, i).op);
}

static void
print_tensor_rows (const char *heading, GPtrArray *tensors)
{
  for (guint i = 0; i < tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (tensors, i);
      g_autofree char *shape = lamina_shape_to_string (&t->shape);
      printf ("%-12s %s  %s  %s", i == 0 ? heading : "", t->name,
              lamina_dtype_name (t->dtype), shape);
      if (t->quant && t->quant->n == 1)
        printf ("  (scale %g, zero point %" G_GINT64_FORMAT ")",
                t->quant->scale[0], t->quant->zero_point[0]);
      printf ("\n");
    }
}

static void
print_text (const LaminaModel *model, const char *path)
{
  g_autoptr(GArray) ops = count_ops (model->graph->nodes);
  g_autoptr(GArray) unsupported = count_sorted (lamina_sim_unsupported_nodes (model->graph));
  g_autoptr(GArray) fallback = count_sorted (lamina_sim_fallback_nodes (model->graph));
  g_autofree char *size = NULL;
  guint64 n_params, n_bytes;

  lamina_model_parameter_totals (model, &n_params, &n_bytes);
  size = g_format_size (n_bytes);
  g_array_sort (ops, compare_op_counts);

  printf ("%-12s %s\n", _("File"), path);
  printf ("%-12s %s %s, %s\n", _("Format"), lamina_format_name (model->format),
          model->format_version ? model->format_version : "", lamina_kind_name (model->kind));
  if (model->producer && model->producer[0])
    printf ("%-12s %s\n", _("Producer"), model->producer);
  for (guint i = 0; i < model->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
      printf ("%-12s %s %" G_GINT64_FORMAT "\n", i == 0 ? _("Opsets") : "",
              opset_domain_name (o), o->version);
    }
  print_tensor_rows (_("Inputs"), model->graph->inputs);
  print_tensor_rows (_("Outputs"), model->graph->outputs);
  printf ("%-12s %u", _("Nodes"), model->graph->nodes->len);
  if (model->graphs->len > 1)
    printf (_(" (+%u subgraphs)"), model->graphs->len - 1);
  printf ("\n%-12s %" G_GUINT64_FORMAT " (%s)\n", _("Parameters"), n_params, size);
  print_op_counts (_("Operators"), ops);
  /* what the simulator cannot run yet */
  print_op_counts (_("Unsupported"), unsupported);
  /* quantized operators without an integer kernel */
  print_op_counts (_("Float fallback"), fallback);
}

int
lamina_cli_info (int argc, char **argv)
{
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(LaminaModel) model = NULL;

  if (!lamina_cli_parse (&argc, &argv, "info", "MODEL", entries))
    return 2;
  if (argc != 2)
    return lamina_cli_fail ("info", "%s", _("expected exactly one MODEL file"));
  model = lamina_cli_load_model ("info", argv[1]);
  if (model == NULL)
    return 1;
  if (as_json)
    print_json (model, argv[1]);
  else
    print_text (model, argv[1]);
  return 0;
}
