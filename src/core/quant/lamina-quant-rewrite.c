/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-quant-rewrite.c: copying graphs node by node, and the two float
 * rewrites the quantizer runs first: BatchNormalization folded into the
 * preceding Conv, and the default ONNX opset raised to 13 (per-axis
 * DequantizeLinear needs it) with the operators whose form changed.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "quant/lamina-quant-private.h"
#include "quant/lamina-quantize.h"
#include "graph/lamina-shape-infer.h"

/* ---- copying ---------------------------------------------------------------- */

LaminaModel *
lamina_rewrite_model_shell (const LaminaModel *src)
{
  LaminaModel *m = lamina_model_new (LAMINA_FORMAT_ONNX);
  LaminaGraph *g = lamina_graph_new (src->graph->name);

  g->doc = g_strdup (src->graph->doc);
  g_ptr_array_add (m->graphs, g);
  m->graph = g;
  m->kind = src->kind;
  m->format_version = g_strdup (src->format_version);
  m->producer = g_strdup (src->producer);
  m->description = g_strdup (src->description);
  for (guint i = 0; i < src->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (src->opsets, LaminaOpset, i);
      LaminaOpset copy = { g_strdup (o->domain), o->version };
      g_array_append_val (m->opsets, copy);
    }
  for (guint i = 0; i < src->metadata->len; i++)
    {
      const LaminaMetadata *e = &g_array_index (src->metadata, LaminaMetadata, i);
      LaminaMetadata copy = { g_strdup (e->key), g_strdup (e->value) };
      g_array_append_val (m->metadata, copy);
    }
  return m;
}

static void
copy_tensor_fields (LaminaTensor *dst, const LaminaTensor *t)
{
  dst->dtype = t->dtype;
  lamina_shape_copy (&dst->shape, &t->shape);
  dst->quant = t->quant ? lamina_quant_copy (t->quant) : NULL;
  dst->data = t->data ? g_bytes_ref (t->data) : NULL;
  dst->strings = g_strdupv (t->strings);
  dst->is_constant = t->is_constant;
  dst->is_variable = t->is_variable;
  dst->doc = g_strdup (t->doc);
}

LaminaTensor *
lamina_rewrite_tensor (LaminaGraph *dst, const LaminaTensor *t)
{
  LaminaTensor *out;

  if (t == NULL)
    return NULL;
  out = lamina_graph_lookup_tensor (dst, t->name);
  if (out == NULL)
    {
      out = lamina_graph_ensure_tensor (dst, t->name);
      copy_tensor_fields (out, t);
    }
  return out;
}

LaminaTensor *
lamina_rewrite_constant (LaminaGraph *dst, const char *name, LaminaDType dtype, int rank,
                         const gint64 *dims, GBytes *data)
{
  LaminaTensor *t = lamina_graph_add_tensor (dst, name);

  t->dtype = dtype;
  lamina_shape_set (&t->shape, rank, dims);
  t->data = data;
  t->is_constant = TRUE;
  return t;
}

static LaminaTensor *
copy_free_tensor (const LaminaTensor *t)
{
  LaminaTensor *c = lamina_tensor_new (t->name);

  copy_tensor_fields (c, t);
  return c;
}

static gboolean
copy_attr (LaminaNode *dst, const LaminaAttr *a, GError **error)
{
  LaminaAttr *c;

  if (a->type == LAMINA_ATTR_GRAPH || a->type == LAMINA_ATTR_GRAPHS)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("node “%s” (%s) has a subgraph, which the quantizer does not handle"),
                   dst->name, dst->op_type);
      return FALSE;
    }
  c = lamina_node_add_attr (dst, a->name, a->type);
  c->doc = g_strdup (a->doc);
  c->i = a->i;
  c->f = a->f;
  c->s = g_strdup (a->s);
  c->t = a->t ? copy_free_tensor (a->t) : NULL;
  c->n = a->n;
  c->ints = a->ints ? g_memdup2 (a->ints, sizeof (gint64) * a->n) : NULL;
  c->floats = a->floats ? g_memdup2 (a->floats, sizeof (double) * a->n) : NULL;
  c->strings = g_strdupv (a->strings);
  if (a->tensors)
    {
      c->tensors = g_new0 (LaminaTensor *, a->n);
      for (guint i = 0; i < a->n; i++)
        c->tensors[i] = copy_free_tensor (a->tensors[i]);
    }
  return TRUE;
}

LaminaNode *
lamina_rewrite_node (LaminaGraph *dst, const LaminaNode *n, GError **error)
{
  LaminaNode *c = lamina_graph_add_node (dst, n->name, n->op_type, n->domain);

  c->doc = g_strdup (n->doc);
  c->is_custom = n->is_custom;
  for (guint i = 0; i < n->attrs->len; i++)
    if (!copy_attr (c, g_ptr_array_index (n->attrs, i), error))
      return NULL;
  return c;
}

LaminaNode *
lamina_rewrite_node_as_is (LaminaGraph *dst, const LaminaNode *n, GError **error)
{
  LaminaNode *c = lamina_rewrite_node (dst, n, error);

  if (c == NULL)
    return NULL;
  for (guint i = 0; i < n->inputs->len; i++)
    lamina_node_add_input (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->inputs, i)));
  for (guint i = 0; i < n->outputs->len; i++)
    lamina_node_add_output (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->outputs, i)));
  return c;
}

gboolean
lamina_rewrite_finish (LaminaGraph *dst, const LaminaGraph *src, GError **error)
{
  for (guint i = 0; i < src->inputs->len; i++)
    g_ptr_array_add (dst->inputs, lamina_rewrite_tensor (dst, g_ptr_array_index (src->inputs, i)));
  for (guint i = 0; i < src->outputs->len; i++)
    g_ptr_array_add (dst->outputs, lamina_rewrite_tensor (dst, g_ptr_array_index (src->outputs, i)));
  if (!lamina_graph_link (dst, error))
    return FALSE;
  lamina_graph_infer_shapes (dst);
  return TRUE;
}

gint64
lamina_model_default_opset (const LaminaModel *model)
{
  for (guint i = 0; i < model->opsets->len; i++)
    {
      const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
      if (o->domain[0] == '\0' || strcmp (o->domain, "ai.onnx") == 0)
        return o->version;
    }
  return 0;
}

/* ---- BatchNormalization folding -------------------------------------------- */

static const float *
float_data (const LaminaTensor *t, gint64 n)
{
  if (t == NULL || !t->is_constant || t->data == NULL || t->dtype != LAMINA_DTYPE_FLOAT32 ||
      lamina_shape_numel (&t->shape) != n || g_bytes_get_size (t->data) != (gsize) n * sizeof (float))
    return NULL;
  return g_bytes_get_data (t->data, NULL);
}

static gboolean
is_op (const LaminaNode *n, const char *op)
{
  return n != NULL && n->domain[0] == '\0' && strcmp (n->op_type, op) == 0;
}

/* The Conv a BatchNormalization can be folded into, or NULL: the BN reads
 * a Conv output nothing else reads, and every parameter is a float32
 * constant of the right size. */
static const LaminaNode *
foldable_conv (const LaminaGraph *g, const LaminaNode *bn)
{
  const LaminaTensor *x, *w;
  const LaminaNode *conv;
  gint64 c;

  if (!is_op (bn, "BatchNormalization") || bn->inputs->len != 5 || bn->outputs->len < 1)
    return NULL;
  for (guint i = 1; i < bn->outputs->len; i++)
    if (g_ptr_array_index (bn->outputs, i) != NULL &&
        ((LaminaTensor *) g_ptr_array_index (bn->outputs, i))->consumers->len > 0)
      return NULL;  /* training outputs in use */
  x = g_ptr_array_index (bn->inputs, 0);
  conv = x ? x->producer : NULL;
  if (!is_op (conv, "Conv") || conv->inputs->len < 2 || x->consumers->len != 1 ||
      g_ptr_array_find (g->outputs, x, NULL))
    return NULL;
  w = g_ptr_array_index (conv->inputs, 1);
  if (w == NULL || w->shape.rank < 3 || !lamina_shape_is_static (&w->shape))
    return NULL;
  c = w->shape.dims[0].value;
  if (float_data (w, lamina_shape_numel (&w->shape)) == NULL)
    return NULL;
  for (guint i = 1; i < 5; i++)
    if (float_data (g_ptr_array_index (bn->inputs, i), c) == NULL)
      return NULL;
  if (conv->inputs->len > 2 && g_ptr_array_index (conv->inputs, 2) != NULL &&
      float_data (g_ptr_array_index (conv->inputs, 2), c) == NULL)
    return NULL;
  return conv;
}

/* W' = W·f, B' = (B − mean)·f + beta with f = gamma / sqrt(var + eps). */
static void
fold_into (LaminaGraph *dst, const LaminaNode *conv, const LaminaNode *bn)
{
  const LaminaTensor *w = g_ptr_array_index (conv->inputs, 1);
  const LaminaTensor *b = conv->inputs->len > 2 ? g_ptr_array_index (conv->inputs, 2) : NULL;
  gint64 c = w->shape.dims[0].value, numel = lamina_shape_numel (&w->shape), per = numel / MAX (c, 1);
  const float *wd = float_data (w, numel), *bd = b ? float_data (b, c) : NULL;
  const float *gamma = float_data (g_ptr_array_index (bn->inputs, 1), c);
  const float *beta = float_data (g_ptr_array_index (bn->inputs, 2), c);
  const float *mean = float_data (g_ptr_array_index (bn->inputs, 3), c);
  const float *var = float_data (g_ptr_array_index (bn->inputs, 4), c);
  double eps = lamina_node_get_float (bn, "epsilon", 1e-5);
  float *nw = g_new (float, numel), *nb = g_new (float, c);
  g_autofree gint64 *dims = g_new (gint64, w->shape.rank);
  LaminaNode *folded;
  g_autofree char *bname = g_strconcat (w->name, "_bias_folded", NULL);

  for (gint64 o = 0; o < c; o++)
    {
      double f = gamma[o] / sqrt ((double) var[o] + eps);
      for (gint64 k = 0; k < per; k++)
        nw[o * per + k] = (float) (wd[o * per + k] * f);
      nb[o] = (float) (((bd ? bd[o] : 0.0) - mean[o]) * f + beta[o]);
    }
  for (int i = 0; i < w->shape.rank; i++)
    dims[i] = w->shape.dims[i].value;
  folded = lamina_rewrite_node (dst, conv, NULL);  /* Conv has no subgraphs */
  lamina_node_add_input (folded, lamina_rewrite_tensor (dst, g_ptr_array_index (conv->inputs, 0)));
  lamina_node_add_input (folded, lamina_rewrite_constant (dst, w->name, LAMINA_DTYPE_FLOAT32, w->shape.rank, dims,
                                                          g_bytes_new_take (nw, numel * sizeof (float))));
  lamina_node_add_input (folded, lamina_rewrite_constant (dst, bname, LAMINA_DTYPE_FLOAT32, 1, &c,
                                                          g_bytes_new_take (nb, c * sizeof (float))));
  lamina_node_add_output (folded, lamina_rewrite_tensor (dst, g_ptr_array_index (bn->outputs, 0)));
}

LaminaModel *
lamina_fold_batchnorm (const LaminaModel *model, guint *n_folded, GError **error)
{
  g_autoptr(LaminaModel) out = lamina_rewrite_model_shell (model);
  const LaminaGraph *g = model->graph;
  g_autoptr(GHashTable) folded = g_hash_table_new (NULL, NULL);  /* Conv → its BN */
  guint count = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *bn = g_ptr_array_index (g->nodes, i);
      const LaminaNode *conv = foldable_conv (g, bn);
      if (conv != NULL)
        g_hash_table_insert (folded, (gpointer) conv, (gpointer) bn);
    }
  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      const LaminaNode *bn = g_hash_table_lookup (folded, n);
      if (bn != NULL)
        {
          fold_into (out->graph, n, bn);
          count++;
        }
      else if (!(is_op (n, "BatchNormalization") && foldable_conv (g, n) != NULL) &&
               lamina_rewrite_node_as_is (out->graph, n, error) == NULL)
        return NULL;
    }
  if (!lamina_rewrite_finish (out->graph, g, error))
    return NULL;
  if (n_folded)
    *n_folded = count;
  return g_steal_pointer (&out);
}

/* ---- opset 13 ------------------------------------------------------------------ */

/* Operators whose `axes`/`split` attribute became an input in opset 13. */
static const char *
attr_became_input (const LaminaNode *n)
{
  if (is_op (n, "Squeeze") || is_op (n, "Unsqueeze") || is_op (n, "ReduceSum"))
    return "axes";
  if (is_op (n, "Split"))
    return "split";
  return NULL;
}

/* Removes c's attribute `name` (it becomes an input). */
static void
drop_attr (LaminaNode *c, const char *name)
{
  for (guint i = c->attrs->len; i-- > 0;)
    if (strcmp (((LaminaAttr *) g_ptr_array_index (c->attrs, i))->name, name) == 0)
      g_ptr_array_remove_index (c->attrs, i);
}

/* The constant input that replaces n's attribute a ("<node>_<attr>"): a
 * 1-D int64 tensor for a list of ints, a float32 scalar otherwise. */
static LaminaTensor *
attr_constant (LaminaGraph *dst, const LaminaNode *n, const LaminaAttr *a)
{
  g_autofree char *name = g_strconcat (n->name[0] ? n->name : n->op_type, "_", a->name, NULL);
  gint64 len = a->n;
  float f = (float) a->f;

  if (a->type == LAMINA_ATTR_INTS)
    return lamina_rewrite_constant (dst, name, LAMINA_DTYPE_INT64, 1, &len,
                                    g_bytes_new (a->ints, sizeof (gint64) * a->n));
  return lamina_rewrite_constant (dst, name, LAMINA_DTYPE_FLOAT32, 0, NULL, g_bytes_new (&f, sizeof f));
}

static void
add_outputs (LaminaGraph *dst, const LaminaNode *n, LaminaNode *c)
{
  for (guint i = 0; i < n->outputs->len; i++)
    lamina_node_add_output (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->outputs, i)));
}

static gboolean
upgrade_attr_to_input (LaminaGraph *dst, const LaminaNode *n, const char *attr, GError **error)
{
  const LaminaAttr *a = lamina_node_get_attr (n, attr);
  LaminaNode *c = lamina_rewrite_node (dst, n, error);

  if (c == NULL)
    return FALSE;
  drop_attr (c, attr);
  for (guint i = 0; i < n->inputs->len; i++)
    lamina_node_add_input (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->inputs, i)));
  if (a != NULL && a->type == LAMINA_ATTR_INTS)
    lamina_node_add_input (c, attr_constant (dst, n, a));
  add_outputs (dst, n, c);
  return TRUE;
}

/* Slice before opset 10 took starts/ends/axes as attributes. */
static gboolean
upgrade_slice (LaminaGraph *dst, const LaminaNode *n, GError **error)
{
  static const char *const attrs[] = { "starts", "ends", "axes" };
  LaminaNode *c = lamina_rewrite_node (dst, n, error);

  if (c == NULL)
    return FALSE;
  g_ptr_array_set_size (c->attrs, 0);
  lamina_node_add_input (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->inputs, 0)));
  for (guint k = 0; k < G_N_ELEMENTS (attrs); k++)
    {
      const LaminaAttr *a = lamina_node_get_attr (n, attrs[k]);
      if (a != NULL && a->type == LAMINA_ATTR_INTS)
        lamina_node_add_input (c, attr_constant (dst, n, a));
      else if (k < 2)
        {
          g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_INVALID,
                       _("node “%s” (Slice) has no “%s”"), n->name, attrs[k]);
          return FALSE;
        }
    }
  add_outputs (dst, n, c);
  return TRUE;
}

/* Clip before opset 11 took min/max as float attributes. */
static gboolean
upgrade_clip (LaminaGraph *dst, const LaminaNode *n, GError **error)
{
  static const char *const attrs[] = { "min", "max" };
  LaminaNode *c = lamina_rewrite_node (dst, n, error);

  if (c == NULL)
    return FALSE;
  g_ptr_array_set_size (c->attrs, 0);
  lamina_node_add_input (c, lamina_rewrite_tensor (dst, g_ptr_array_index (n->inputs, 0)));
  for (guint k = 0; k < G_N_ELEMENTS (attrs); k++)
    {
      const LaminaAttr *a = lamina_node_get_attr (n, attrs[k]);
      lamina_node_add_input (c, a == NULL ? NULL : attr_constant (dst, n, a));
    }
  add_outputs (dst, n, c);
  return TRUE;
}

static gboolean
is_softmax_family (const LaminaNode *n)
{
  return is_op (n, "Softmax") || is_op (n, "LogSoftmax") || is_op (n, "Hardmax");
}

/* Before 13, Softmax(axis) flattened to 2-D at axis; from 13 it works
 * along one axis. Same result when the axis is the last one (or every
 * later dimension is 1): then only `axis` is made explicit. Otherwise
 * Flatten → op(axis = 1) → Reshape back to the input's shape. */
static gboolean
upgrade_softmax (LaminaGraph *dst, const LaminaNode *n, GError **error)
{
  const LaminaTensor *x = g_ptr_array_index (n->inputs, 0), *y = g_ptr_array_index (n->outputs, 0);
  gint64 axis = lamina_node_get_int (n, "axis", 1);
  int rank = x ? x->shape.rank : -1;
  gboolean trailing_ones = TRUE;
  LaminaNode *c, *flatten, *shape, *reshape;
  LaminaTensor *flat, *soft, *shp;
  g_autofree char *base = g_strdup (n->name[0] ? n->name : y->name);
  g_autofree char *shape_name = g_strconcat (base, "_shape", NULL);

  if (rank < 0)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("node “%s” (%s): the rank of its input is unknown, so it cannot be moved to opset 13"),
                   n->name, n->op_type);
      return FALSE;
    }
  if (axis < 0)
    axis += rank;
  for (int i = (int) axis + 1; i < rank; i++)
    trailing_ones = trailing_ones && x->shape.dims[i].value == 1;
  if ((c = lamina_rewrite_node (dst, n, error)) == NULL)
    return FALSE;
  drop_attr (c, "axis");
  if (trailing_ones)
    {
      lamina_node_add_attr (c, "axis", LAMINA_ATTR_INT)->i = axis;
      lamina_node_add_input (c, lamina_rewrite_tensor (dst, x));
      lamina_node_add_output (c, lamina_rewrite_tensor (dst, y));
      return TRUE;
    }
  lamina_node_add_attr (c, "axis", LAMINA_ATTR_INT)->i = 1;
  flatten = lamina_graph_add_node (dst, NULL, "Flatten", "");
  g_free (flatten->name);
  flatten->name = g_strconcat (base, "_flatten", NULL);
  lamina_node_add_attr (flatten, "axis", LAMINA_ATTR_INT)->i = axis;
  flat = lamina_graph_add_tensor (dst, flatten->name);
  flat->dtype = x->dtype;
  lamina_node_add_input (flatten, lamina_rewrite_tensor (dst, x));
  lamina_node_add_output (flatten, flat);
  soft = lamina_graph_add_tensor (dst, base);
  soft->dtype = x->dtype;
  /* move c after flatten: it was added first */
  g_ptr_array_steal_index (dst->nodes, c->index);
  g_ptr_array_add (dst->nodes, c);
  lamina_node_add_input (c, flat);
  lamina_node_add_output (c, soft);
  shape = lamina_graph_add_node (dst, NULL, "Shape", "");
  shp = lamina_graph_add_tensor (dst, shape_name);
  shp->dtype = LAMINA_DTYPE_INT64;
  lamina_node_add_input (shape, lamina_rewrite_tensor (dst, x));
  lamina_node_add_output (shape, shp);
  reshape = lamina_graph_add_node (dst, NULL, "Reshape", "");
  lamina_node_add_input (reshape, soft);
  lamina_node_add_input (reshape, shp);
  lamina_node_add_output (reshape, lamina_rewrite_tensor (dst, y));
  for (guint i = 0; i < dst->nodes->len; i++)
    ((LaminaNode *) g_ptr_array_index (dst->nodes, i))->index = i;
  return TRUE;
}

LaminaModel *
lamina_upgrade_opset13 (const LaminaModel *model, GError **error)
{
  g_autoptr(LaminaModel) out = lamina_rewrite_model_shell (model);
  gint64 opset = lamina_model_default_opset (model);
  gboolean found = FALSE;

  for (guint i = 0; i < model->graph->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (model->graph->nodes, i);
      const char *attr = opset < 13 ? attr_became_input (n) : NULL;
      gboolean ok;
      if (attr != NULL)
        ok = upgrade_attr_to_input (out->graph, n, attr, error);
      else if (opset < 10 && is_op (n, "Slice") && n->inputs->len == 1)
        ok = upgrade_slice (out->graph, n, error);
      else if (opset < 11 && is_op (n, "Clip") && n->inputs->len == 1)
        ok = upgrade_clip (out->graph, n, error);
      else if (opset < 13 && is_softmax_family (n))
        ok = upgrade_softmax (out->graph, n, error);
      else
        ok = lamina_rewrite_node_as_is (out->graph, n, error) != NULL;
      if (!ok)
        return NULL;
    }
  for (guint i = 0; i < out->opsets->len; i++)
    {
      LaminaOpset *o = &g_array_index (out->opsets, LaminaOpset, i);
      if (o->domain[0] == '\0' || strcmp (o->domain, "ai.onnx") == 0)
        {
          o->version = MAX (o->version, 13);
          found = TRUE;
        }
    }
  if (!found)
    {
      LaminaOpset o = { g_strdup (""), 13 };
      g_array_append_val (out->opsets, o);
    }
  if (!lamina_rewrite_finish (out->graph, model->graph, error))
    return NULL;
  return g_steal_pointer (&out);
}
