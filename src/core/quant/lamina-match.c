/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-match.c: pairing float and fixed tensors (provenance, else name
 * and topology).
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <string.h>
#include "quant/lamina-match.h"
#include "quant/lamina-quantize.h"
#include "ops/lamina-value.h"

/* Tensors that depend on a graph input, in topological order of their
 * producers (graph inputs first). */
static GPtrArray *
live_tensors (LaminaGraph *g, GError **error)
{
  g_autoptr(GPtrArray) order = lamina_graph_toposort (g, error);
  g_autoptr(GHashTable) live = g_hash_table_new (NULL, NULL);
  GPtrArray *list;

  if (order == NULL)
    return NULL;
  list = g_ptr_array_new ();
  for (guint i = 0; i < g->inputs->len; i++)
    {
      g_hash_table_add (live, g_ptr_array_index (g->inputs, i));
      g_ptr_array_add (list, g_ptr_array_index (g->inputs, i));
    }
  for (guint i = 0; i < order->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (order, i);
      gboolean any = FALSE;
      for (guint k = 0; k < n->inputs->len && !any; k++)
        any = g_hash_table_contains (live, g_ptr_array_index (n->inputs, k));
      for (guint k = 0; any && k < n->outputs->len; k++)
        if (g_ptr_array_index (n->outputs, k) != NULL)
          {
            g_hash_table_add (live, g_ptr_array_index (n->outputs, k));
            g_ptr_array_add (list, g_ptr_array_index (n->outputs, k));
          }
    }
  return list;
}

static gboolean
produced_by (const LaminaTensor *t, const char *op)
{
  return t->producer != NULL && strcmp (t->producer->op_type, op) == 0;
}

/* QuantizeLinear's scale and zero point (constants) as a LaminaQuant. */
static LaminaQuant *
quant_of_quantize_node (const LaminaNode *n)
{
  const LaminaTensor *st = n->inputs->len > 1 ? g_ptr_array_index (n->inputs, 1) : NULL;
  const LaminaTensor *zt = n->inputs->len > 2 ? g_ptr_array_index (n->inputs, 2) : NULL;
  LaminaValue s = { 0 }, z = { 0 };
  LaminaQuant *q = NULL;

  if (st == NULL || !lamina_value_from_constant (&s, st, NULL) || s.numel < 1 || s.numel > G_MAXINT ||
      (zt != NULL && (!lamina_value_from_constant (&z, zt, NULL) || z.numel != s.numel)))
    goto out;
  q = lamina_quant_new (s.numel == 1 ? -1 : (int) lamina_node_get_int (n, "axis", 1), (guint) s.numel);
  for (gint64 i = 0; i < s.numel; i++)
    {
      q->scale[i] = (float) lamina_value_get_double (&s, i);
      q->zero_point[i] = zt ? lamina_value_get_int (&z, i) : 0;
    }
out:
  lamina_value_clear (&s);
  lamina_value_clear (&z);
  return q;
}

/* How a fixed tensor dequantizes; NULL when it is not a quantized tensor. */
static LaminaQuant *
fixed_quant (const LaminaTensor *t)
{
  if (t->quant != NULL && t->quant->n > 0 && lamina_dtype_is_integer (t->dtype))
    return lamina_quant_copy (t->quant);
  if (produced_by (t, "QuantizeLinear"))
    return quant_of_quantize_node (t->producer);
  return NULL;
}

/* Equal ranks, and equal dims where both are known. */
static gboolean
same_shape (const LaminaShape *a, const LaminaShape *b)
{
  if (a->rank != b->rank)
    return FALSE;
  for (int d = 0; d < a->rank; d++)
    if (a->dims[d].value >= 0 && b->dims[d].value >= 0 && a->dims[d].value != b->dims[d].value)
      return FALSE;
  return TRUE;
}

/* Name-and-topology rule for graphs without provenance. */
static gboolean
same_role (const LaminaTensor *flt, const LaminaTensor *fixed)
{
  static const char *const requantize[] = { "Quantize", "QuantizeLinear", "Requantize", NULL };

  if (!same_shape (&flt->shape, &fixed->shape))
    return FALSE;
  if (flt->producer == NULL || fixed->producer == NULL)
    return flt->producer == NULL && fixed->producer == NULL;
  return strcmp (flt->producer->op_type, fixed->producer->op_type) == 0 ||
         g_strv_contains (requantize, fixed->producer->op_type);
}

static void
pair_clear (gpointer p)
{
  LaminaMatchPair *pair = p;

  g_clear_pointer (&pair->quant, lamina_quant_free);
}

/* The float partner of a quantized fixed tensor, or NULL. */
static const LaminaTensor *
partner (const LaminaTensor *fixed, LaminaGraph *fg, GHashTable *float_live, GHashTable *float_of)
{
  const char *name = g_hash_table_lookup (float_of, fixed->name);
  const LaminaTensor *flt = lamina_graph_lookup_tensor (fg, name ? name : fixed->name);

  if (flt == NULL || !g_hash_table_contains (float_live, flt) || !lamina_dtype_is_float (flt->dtype))
    return NULL;
  if (g_hash_table_size (float_of) > 0)
    return same_shape (&flt->shape, &fixed->shape) ? flt : NULL;
  return same_role (flt, fixed) ? flt : NULL;
}

static void
pair_all (LaminaMatch *m, LaminaGraph *fg, GPtrArray *float_live, GPtrArray *fixed_live,
          GHashTable *float_of)
{
  g_autoptr(GHashTable) flive = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) paired = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < float_live->len; i++)
    g_hash_table_add (flive, g_ptr_array_index (float_live, i));
  for (guint i = 0; i < fixed_live->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (fixed_live, i);
      LaminaQuant *q = fixed_quant (t);
      const LaminaTensor *flt = q ? partner (t, fg, flive, float_of) : NULL;
      if (q == NULL)
        continue;
      if (flt == NULL)
        {
          g_ptr_array_add (m->unmatched_fixed, (gpointer) t);
          lamina_quant_free (q);
          continue;
        }
      g_array_append_val (m->pairs, ((LaminaMatchPair) { flt, t, q }));
      g_hash_table_add (paired, (gpointer) flt);
    }
  for (guint i = 0; i < float_live->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (float_live, i);
      if (lamina_dtype_is_float (t->dtype) && !g_hash_table_contains (paired, t))
        g_ptr_array_add (m->unmatched_float, (gpointer) t);
    }
}

LaminaMatch *
lamina_match_tensors (const LaminaModel *flt, const LaminaModel *fixed, GError **error)
{
  g_autoptr(GPtrArray) float_live = live_tensors (flt->graph, error);
  g_autoptr(GPtrArray) fixed_live = float_live ? live_tensors (fixed->graph, error) : NULL;
  g_autoptr(GHashTable) float_of = NULL;
  LaminaMatch *m;

  if (fixed_live == NULL)
    return NULL;
  float_of = lamina_quantize_float_of (fixed);
  m = g_new0 (LaminaMatch, 1);
  m->pairs = g_array_new (FALSE, FALSE, sizeof (LaminaMatchPair));
  g_array_set_clear_func (m->pairs, pair_clear);
  m->unmatched_float = g_ptr_array_new ();
  m->unmatched_fixed = g_ptr_array_new ();
  m->by_provenance = g_hash_table_size (float_of) > 0;
  pair_all (m, flt->graph, float_live, fixed_live, float_of);
  return m;
}

void
lamina_match_free (LaminaMatch *match)
{
  if (match == NULL)
    return;
  g_array_unref (match->pairs);
  g_ptr_array_unref (match->unmatched_float);
  g_ptr_array_unref (match->unmatched_fixed);
  g_free (match);
}
