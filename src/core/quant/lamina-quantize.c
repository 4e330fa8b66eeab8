/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-quantize.c: the quantizer (see lamina-quantize.h for what the
 * fixed graph looks like). Works on a prepared float copy (BatchNorm
 * folded, opset 13), decides a precision and parameters for every float
 * activation, then rebuilds the graph node by node with QuantizeLinear /
 * DequantizeLinear pairs and quantized weights.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "quant/lamina-quantize.h"
#include "quant/lamina-quant-private.h"

#define MS_DOMAIN "com.microsoft"

/* One quantized activation; sets that must share parameters are joined in
 * a union-find forest and the root holds the parameters. */
typedef struct _Act Act;
struct _Act {
  const LaminaTensor *t;
  LaminaPrecision     precision;
  Act                *parent;
  float               lo, hi;
  gboolean            has_range;
  float               scale;
  gint64              zero_point;
};

typedef struct {
  float  *scales;   /* per channel (n == 1: per tensor) */
  guint   n;
  LaminaTensor *dq; /* what the node reads */
} Weight;

typedef struct {
  const LaminaModel           *src;     /* prepared float model */
  const LaminaCalibration     *calib;
  const LaminaQuantizeOptions *o;
  LaminaQuantizeStats         *stats;
  LaminaModel                 *out;
  GHashTable                  *acts;     /* const LaminaTensor* (src) → Act* */
  GHashTable                  *mapped;   /* src name → LaminaTensor* (dst) consumers read */
  GHashTable                  *weights;  /* src weight name → Weight* */
  GString                     *float_of;
  gboolean                     uses_ms;
} Quantizer;

static gboolean
is_op (const LaminaNode *n, const char *op)
{
  return n != NULL && n->domain[0] == '\0' && strcmp (n->op_type, op) == 0;
}

static gboolean
is_op_in (const LaminaNode *n, const char *const *ops)
{
  for (guint i = 0; ops[i] != NULL; i++)
    if (is_op (n, ops[i]))
      return TRUE;
  return FALSE;
}

static void
add_float_of (Quantizer *q, const char *fixed, const char *flt)
{
  g_autofree char *a = g_strescape (fixed, NULL), *b = g_strescape (flt, NULL);

  g_string_append_printf (q->float_of, "%s\t%s\n", a, b);
}

/* ---- precision ------------------------------------------------------------------ */

static gboolean
rules_match (const char *const *rules, const char *s)
{
  for (guint i = 0; rules && s && rules[i]; i++)
    if (strcmp (rules[i], s) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
rules_match_tensor (const char *const *rules, const LaminaTensor *t)
{
  const LaminaNode *p = t->producer;

  return rules_match (rules, t->name) ||
         (p != NULL && (rules_match (rules, p->name) || rules_match (rules, p->op_type)));
}

static LaminaPrecision
tensor_precision (const Quantizer *q, const LaminaTensor *t)
{
  if (rules_match_tensor (q->o->keep_float, t))
    return LAMINA_PRECISION_FLOAT;
  if (rules_match_tensor (q->o->int16, t))
    return LAMINA_PRECISION_INT16;
  return q->o->bits == 16 ? LAMINA_PRECISION_INT16 : LAMINA_PRECISION_INT8;
}

static LaminaPrecision
node_precision (const Quantizer *q, const LaminaNode *n)
{
  const LaminaTensor *t = n->outputs->len ? g_ptr_array_index (n->outputs, 0) : NULL;

  return t ? tensor_precision (q, t) : LAMINA_PRECISION_FLOAT;
}

/* ---- which tensors ------------------------------------------------------------- */

static gboolean
is_graph_output (const LaminaGraph *g, const LaminaTensor *t)
{
  return g_ptr_array_find (g->outputs, t, NULL);
}

static gboolean
is_activation (const LaminaGraph *g, const LaminaTensor *t)
{
  return t != NULL && !t->is_constant && t->dtype == LAMINA_DTYPE_FLOAT32 &&
         (t->producer != NULL || g_ptr_array_find (g->inputs, t, NULL)) &&
         (t->consumers->len > 0 || is_graph_output (g, t));
}

static gboolean
is_constant_or_absent (const LaminaNode *n, guint i)
{
  const LaminaTensor *t = i < n->inputs->len ? g_ptr_array_index (n->inputs, i) : NULL;

  return t == NULL || t->is_constant;
}

/* The NPU applies Relu/Clip as the output clamp of the op before. */
static gboolean
is_fused (const LaminaGraph *g, const LaminaTensor *t)
{
  static const char *const fusing[] = { "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", NULL };
  const LaminaNode *c;

  if (t->producer == NULL || !is_op_in (t->producer, fusing) || t->consumers->len != 1 ||
      is_graph_output (g, t))
    return FALSE;
  c = g_ptr_array_index (t->consumers, 0);
  return is_op (c, "Relu") || (is_op (c, "Clip") && is_constant_or_absent (c, 1) && is_constant_or_absent (c, 2));
}

static Act *
act_root (Act *a)
{
  while (a->parent != a)
    {
      a->parent = a->parent->parent;  /* path halving */
      a = a->parent;
    }
  return a;
}

static void
act_union (Act *a, Act *b)
{
  if (a == NULL || b == NULL || a->precision != b->precision)
    return;
  a = act_root (a);
  b = act_root (b);
  if (a != b)
    b->parent = a;
}

static Act *
lookup_act (const Quantizer *q, const LaminaTensor *t)
{
  return t ? g_hash_table_lookup (q->acts, t) : NULL;
}

static void
collect_acts (Quantizer *q)
{
  const LaminaGraph *g = q->src->graph;
  double percentile = q->o->percentile > 0 ? q->o->percentile : LAMINA_CALIB_DEFAULT_PERCENTILE;

  for (guint i = 0; i < g->tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->tensors, i);
      const LaminaObserver *obs;
      LaminaPrecision p;
      Act *a;

      if (!is_activation (g, t))
        continue;
      if (is_fused (g, t))
        {
          q->stats->n_fused++;
          continue;
        }
      p = tensor_precision (q, t);
      obs = lamina_calibration_lookup (q->calib, t->name);
      if (p == LAMINA_PRECISION_FLOAT || obs == NULL)
        {
          if (p == LAMINA_PRECISION_FLOAT)
            q->stats->n_float++;
          else
            q->stats->n_unobserved++;
          continue;
        }
      a = g_new0 (Act, 1);
      a->t = t;
      a->precision = p;
      a->parent = a;
      a->has_range = lamina_observer_range (obs, q->o->method, percentile,
                                            p == LAMINA_PRECISION_INT16 ? 16 : 8, &a->lo, &a->hi);
      g_hash_table_insert (q->acts, (gpointer) t, a);
    }
}

/* Operators whose outputs take their input's parameters (data movement,
 * max selection, nearest/linear resampling: no new values outside the
 * input's range), and Concat whose inputs take its output's. */
static void
share_params (Quantizer *q)
{
  static const char *const same[] = {
    "DepthToSpace", "Expand", "Flatten", "Gather", "GlobalMaxPool", "Identity", "MaxPool", "Pad",
    "Reshape", "Resize", "Slice", "SpaceToDepth", "Split", "Squeeze", "Tile", "Transpose",
    "Unsqueeze", NULL,
  };
  const LaminaGraph *g = q->src->graph;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      if (is_op_in (n, same) && n->inputs->len > 0)
        for (guint k = 0; k < n->outputs->len; k++)
          act_union (lookup_act (q, g_ptr_array_index (n->inputs, 0)),
                     lookup_act (q, g_ptr_array_index (n->outputs, k)));
      else if (is_op (n, "Concat") && n->outputs->len > 0)
        for (guint k = 0; k < n->inputs->len; k++)
          act_union (lookup_act (q, g_ptr_array_index (n->outputs, 0)),
                     lookup_act (q, g_ptr_array_index (n->inputs, k)));
    }
}

/* int8: asymmetric over a range containing 0, zero point in −128..127;
 * int16: symmetric, zero point 0. A degenerate range gets scale 1. */
static void
set_params (Act *a)
{
  double lo = MIN (a->has_range ? a->lo : 0.0, 0.0), hi = MAX (a->has_range ? a->hi : 0.0, 0.0);

  if (a->precision == LAMINA_PRECISION_INT16)
    {
      double m = MAX (-lo, hi);
      a->scale = m > 0 ? (float) (m / 32767.0) : 1.0f;
      a->zero_point = 0;
      return;
    }
  a->scale = hi > lo ? (float) ((hi - lo) / 255.0) : 1.0f;
  a->zero_point = CLAMP ((gint64) llround (-128.0 - lo / a->scale), -128, 127);
}

static void
compute_params (Quantizer *q)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, q->acts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Act *a = value, *r = act_root (a);
      if (!a->has_range)
        continue;
      if (r != a && r->has_range)
        {
          r->lo = MIN (r->lo, a->lo);
          r->hi = MAX (r->hi, a->hi);
        }
      else if (r != a)
        {
          r->lo = a->lo;
          r->hi = a->hi;
          r->has_range = TRUE;
        }
    }
  g_hash_table_iter_init (&it, q->acts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Act *a = value;
      if (act_root (a) == a)
        set_params (a);
      if (a->precision == LAMINA_PRECISION_INT16)
        q->stats->n_int16++;
      else
        q->stats->n_int8++;
    }
  g_hash_table_iter_init (&it, q->acts);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Act *a = value, *r = act_root (a);
      a->scale = r->scale;
      a->zero_point = r->zero_point;
    }
}

/* ---- emitting QDQ ---------------------------------------------------------------- */

static LaminaTensor *
scalar_constant (Quantizer *q, const char *name, LaminaDType dtype, const void *value)
{
  return lamina_rewrite_constant (q->out->graph, name, dtype, 0, NULL,
                                  g_bytes_new (value, lamina_dtype_size (dtype)));
}

static LaminaNode *
add_node (Quantizer *q, const char *base, const char *op, const char *domain)
{
  g_autofree char *name = g_strconcat (base, "_", op, NULL);

  return lamina_graph_add_node (q->out->graph, name, op, domain);
}

static LaminaTensor *
like (Quantizer *q, const LaminaTensor *t, const char *suffix, LaminaDType dtype)
{
  g_autofree char *name = g_strconcat (t->name, suffix, NULL);
  LaminaTensor *n = lamina_graph_add_tensor (q->out->graph, name);

  n->dtype = dtype;
  lamina_shape_copy (&n->shape, &t->shape);
  add_float_of (q, n->name, t->name);
  return n;
}

/* produced (in dst) → QuantizeLinear → DequantizeLinear → what consumers of
 * t read from now on. A graph output keeps its name on the dequantized
 * tensor (the producer writes "<name>_float"). */
static void
emit_qdq (Quantizer *q, const Act *a, LaminaTensor *produced)
{
  const LaminaTensor *t = a->t;
  gboolean int16 = a->precision == LAMINA_PRECISION_INT16;
  LaminaDType qtype = int16 ? LAMINA_DTYPE_INT16 : LAMINA_DTYPE_INT8;
  const char *domain = int16 ? MS_DOMAIN : "";
  g_autofree char *sname = g_strconcat (t->name, "_scale", NULL);
  g_autofree char *zname = g_strconcat (t->name, "_zero_point", NULL);
  gint8 zp8 = (gint8) a->zero_point;
  gint16 zp16 = (gint16) a->zero_point;
  LaminaTensor *scale = scalar_constant (q, sname, LAMINA_DTYPE_FLOAT32, &a->scale);
  LaminaTensor *zp = scalar_constant (q, zname, qtype, int16 ? (const void *) &zp16 : (const void *) &zp8);
  LaminaTensor *quantized = like (q, t, "_quantized", qtype), *dequantized;
  LaminaNode *qn = add_node (q, t->name, "QuantizeLinear", domain);
  LaminaNode *dq = add_node (q, t->name, "DequantizeLinear", domain);

  q->uses_ms |= int16;
  if (is_graph_output (q->src->graph, t))
    dequantized = lamina_rewrite_tensor (q->out->graph, t);
  else
    dequantized = like (q, t, "_dequantized", LAMINA_DTYPE_FLOAT32);
  lamina_node_add_input (qn, produced);
  lamina_node_add_input (qn, scale);
  lamina_node_add_input (qn, zp);
  lamina_node_add_output (qn, quantized);
  lamina_node_add_input (dq, quantized);
  lamina_node_add_input (dq, scale);
  lamina_node_add_input (dq, zp);
  lamina_node_add_output (dq, dequantized);
  g_hash_table_insert (q->mapped, g_strdup (t->name), dequantized);
}

/* ---- weights and biases ------------------------------------------------------------ */

static const float *
float_constant (const LaminaTensor *t)
{
  gint64 n = t ? lamina_shape_numel (&t->shape) : -1;

  if (t == NULL || !t->is_constant || t->data == NULL || t->dtype != LAMINA_DTYPE_FLOAT32 || n < 0 ||
      g_bytes_get_size (t->data) != (gsize) n * sizeof (float))
    return NULL;
  return g_bytes_get_data (t->data, NULL);
}

/* The output-channel axis of a node's weight input, −1 for per tensor. */
static int
weight_axis (const LaminaNode *n, const LaminaTensor *w)
{
  if (is_op (n, "Conv"))
    return 0;
  if (is_op (n, "ConvTranspose"))
    return lamina_node_get_int (n, "group", 1) == 1 ? 1 : -1;
  if (is_op (n, "Gemm"))
    return lamina_node_get_int (n, "transB", 0) ? 0 : 1;
  return w->shape.rank == 2 ? 1 : -1;   /* MatMul */
}

static gboolean
is_weight_input (const LaminaNode *n, guint i)
{
  static const char *const ops[] = { "Conv", "ConvTranspose", "Gemm", "MatMul", NULL };

  return i == 1 && is_op_in (n, ops);
}

static gboolean
is_bias_input (const LaminaNode *n, guint i)
{
  static const char *const ops[] = { "Conv", "ConvTranspose", "Gemm", NULL };

  return i == 2 && is_op_in (n, ops);
}

static void
weight_free (gpointer p)
{
  Weight *w = p;

  g_free (w->scales);
  g_free (w);
}

/* The smallest weight scale of each of `channels` channels that keeps the
 * node's int32 bias B[c] / (s_in · s_w[c]) in range (a channel of tiny
 * weights and a large bias would otherwise saturate it; ONNX Runtime's
 * quantizer widens such scales too); NULL when there is no such bias. */
static float *
bias_min_scales (const Quantizer *q, const LaminaNode *n, gint64 channels)
{
  const LaminaTensor *b = n->inputs->len > 2 && is_bias_input (n, 2) ? g_ptr_array_index (n->inputs, 2) : NULL;
  const float *data = float_constant (b);
  const Act *in = lookup_act (q, g_ptr_array_index (n->inputs, 0));
  gint64 c = data ? lamina_shape_numel (&b->shape) : 0;
  float *min;

  if (data == NULL || in == NULL || !(in->scale > 0) || (c != channels && channels != 1))
    return NULL;
  min = g_new0 (float, MAX (channels, 1));
  for (gint64 k = 0; k < c; k++)
    {
      float need = (float) (fabs (data[k]) / (in->scale * (0.99 * G_MAXINT32)));
      min[channels == 1 ? 0 : k] = MAX (min[channels == 1 ? 0 : k], need);
    }
  return min;
}

/* Symmetric int8 in −127..127 with one scale per slice along `axis`, no
 * smaller than min_scale[c] (may be NULL). */
static Weight *
quantize_weight (Quantizer *q, const LaminaTensor *w, const float *data, int axis, const float *min_scale)
{
  gint64 numel = lamina_shape_numel (&w->shape), channels = 1, inner = 1;
  g_autofree gint64 *dims = g_new0 (gint64, MAX (w->shape.rank, 1));
  gint8 *qd = g_new (gint8, MAX (numel, 1));
  Weight *r = g_new0 (Weight, 1);
  gint8 *zeros;
  LaminaTensor *qt, *scale, *zp;
  LaminaNode *dq;
  g_autofree char *sname = g_strconcat (w->name, "_scale", NULL);
  g_autofree char *zname = g_strconcat (w->name, "_zero_point", NULL);

  for (int i = 0; i < w->shape.rank; i++)
    dims[i] = w->shape.dims[i].value;
  if (axis >= 0)
    {
      channels = dims[axis];
      for (int i = axis + 1; i < w->shape.rank; i++)
        inner *= dims[i];
    }
  else
    inner = numel;
  r->n = (guint) channels;
  r->scales = g_new0 (float, channels);
  for (gint64 k = 0; k < numel; k++)
    {
      gint64 c = (k / inner) % channels;
      r->scales[c] = MAX (r->scales[c], fabsf (data[k]));
    }
  for (gint64 c = 0; c < channels; c++)
    {
      r->scales[c] = r->scales[c] > 0 ? r->scales[c] / 127.0f : 1.0f;
      if (min_scale != NULL)
        r->scales[c] = MAX (r->scales[c], min_scale[c]);
    }
  for (gint64 k = 0; k < numel; k++)
    qd[k] = (gint8) CLAMP (lrintf (data[k] / r->scales[(k / inner) % channels]), -127, 127);
  qt = like (q, w, "_quantized", LAMINA_DTYPE_INT8);
  qt->is_constant = TRUE;
  qt->data = g_bytes_new_take (qd, numel);
  zeros = g_new0 (gint8, channels);
  scale = lamina_rewrite_constant (q->out->graph, sname, LAMINA_DTYPE_FLOAT32, axis >= 0 ? 1 : 0, &channels,
                                   g_bytes_new (r->scales, channels * sizeof (float)));
  zp = lamina_rewrite_constant (q->out->graph, zname, LAMINA_DTYPE_INT8, axis >= 0 ? 1 : 0, &channels,
                                g_bytes_new_take (zeros, channels));
  r->dq = like (q, w, "_dequantized", LAMINA_DTYPE_FLOAT32);
  dq = add_node (q, w->name, "DequantizeLinear", "");
  if (axis >= 0)
    lamina_node_add_attr (dq, "axis", LAMINA_ATTR_INT)->i = axis;
  lamina_node_add_input (dq, qt);
  lamina_node_add_input (dq, scale);
  lamina_node_add_input (dq, zp);
  lamina_node_add_output (dq, r->dq);
  q->stats->n_weights++;
  return r;
}

static LaminaTensor *
map_weight (Quantizer *q, const LaminaNode *n, const LaminaTensor *w)
{
  Weight *r = g_hash_table_lookup (q->weights, w->name);
  const float *data = float_constant (w);

  if (r == NULL && data != NULL && lamina_shape_is_static (&w->shape) && w->shape.rank >= 1)
    {
      int axis = weight_axis (n, w);
      g_autofree float *min_scale = bias_min_scales (q, n, axis >= 0 ? w->shape.dims[axis].value : 1);
      r = quantize_weight (q, w, data, axis, min_scale);
      g_hash_table_insert (q->weights, g_strdup (w->name), r);
    }
  return r ? r->dq : NULL;
}

/* int32 bias with scale s_in·s_w[c]: needs a quantized weight with one
 * scale per bias entry (or one for all) and a quantized input. */
static LaminaTensor *
map_bias (Quantizer *q, const LaminaNode *n, const LaminaTensor *b)
{
  const LaminaTensor *w = g_ptr_array_index (n->inputs, 1);
  const Act *in = lookup_act (q, g_ptr_array_index (n->inputs, 0));
  const Weight *r = w ? g_hash_table_lookup (q->weights, w->name) : NULL;
  const float *data = float_constant (b);
  gint64 c = data ? lamina_shape_numel (&b->shape) : 0;
  gint32 *qd, *zeros;
  float *scales;
  LaminaTensor *qt, *scale, *zp, *out;
  LaminaNode *dq;
  g_autofree char *sname = g_strconcat (b->name, "_scale", NULL);
  g_autofree char *zname = g_strconcat (b->name, "_zero_point", NULL);

  if (data == NULL || in == NULL || r == NULL || b->shape.rank != 1 || (r->n != 1 && r->n != c))
    return NULL;
  qd = g_new (gint32, MAX (c, 1));
  scales = g_new (float, MAX (c, 1));
  for (gint64 k = 0; k < c; k++)
    {
      double s = (double) in->scale * r->scales[r->n == 1 ? 0 : k];
      scales[k] = (float) s;
      qd[k] = (gint32) CLAMP (llround (data[k] / s), G_MININT32, G_MAXINT32);
    }
  zeros = g_new0 (gint32, MAX (c, 1));
  qt = like (q, b, "_quantized", LAMINA_DTYPE_INT32);
  qt->is_constant = TRUE;
  qt->data = g_bytes_new_take (qd, c * sizeof (gint32));
  scale = lamina_rewrite_constant (q->out->graph, sname, LAMINA_DTYPE_FLOAT32, 1, &c,
                                   g_bytes_new_take (scales, c * sizeof (float)));
  zp = lamina_rewrite_constant (q->out->graph, zname, LAMINA_DTYPE_INT32, 1, &c,
                                g_bytes_new_take (zeros, c * sizeof (gint32)));
  out = like (q, b, "_dequantized", LAMINA_DTYPE_FLOAT32);
  dq = add_node (q, qt->name, "DequantizeLinear", "");
  lamina_node_add_attr (dq, "axis", LAMINA_ATTR_INT)->i = 0;
  lamina_node_add_input (dq, qt);
  lamina_node_add_input (dq, scale);
  lamina_node_add_input (dq, zp);
  lamina_node_add_output (dq, out);
  q->stats->n_biases++;
  return out;
}

/* What input i of n reads in the fixed graph. */
static LaminaTensor *
map_input (Quantizer *q, const LaminaNode *n, guint i)
{
  const LaminaTensor *u = g_ptr_array_index (n->inputs, i);
  LaminaTensor *r = NULL;
  gboolean fixed_node = node_precision (q, n) != LAMINA_PRECISION_FLOAT;

  if (u == NULL)
    return NULL;
  if (fixed_node && is_weight_input (n, i) && u->is_constant)
    r = map_weight (q, n, u);
  else if (fixed_node && is_bias_input (n, i) && u->is_constant)
    r = map_bias (q, n, u);
  if (r == NULL)
    r = g_hash_table_lookup (q->mapped, u->name);
  return r ? r : lamina_rewrite_tensor (q->out->graph, u);
}

static gboolean
emit_node (Quantizer *q, const LaminaNode *n, GError **error)
{
  const LaminaGraph *g = q->src->graph;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  LaminaNode *c;

  /* weight and bias DequantizeLinear nodes first: nodes stay in
   * topological order, as ONNX requires */
  for (guint i = 0; i < n->inputs->len; i++)
    g_ptr_array_add (inputs, map_input (q, n, i));
  if ((c = lamina_rewrite_node (q->out->graph, n, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < inputs->len; i++)
    lamina_node_add_input (c, g_ptr_array_index (inputs, i));
  for (guint i = 0; i < n->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (n->outputs, i);
      const Act *a = lookup_act (q, t);
      LaminaTensor *out;
      if (a != NULL && is_graph_output (g, t))
        out = like (q, t, "_float", t->dtype);
      else
        out = lamina_rewrite_tensor (q->out->graph, t);
      lamina_node_add_output (c, out);
      if (a != NULL)
        emit_qdq (q, a, out);
    }
  return TRUE;
}

static gboolean
emit_graph (Quantizer *q, GError **error)
{
  const LaminaGraph *g = q->src->graph;
  g_autoptr(GPtrArray) order = lamina_graph_toposort ((LaminaGraph *) g, error);

  if (order == NULL)
    return FALSE;
  for (guint i = 0; i < g->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->inputs, i);
      const Act *a = lookup_act (q, t);
      LaminaTensor *in = lamina_rewrite_tensor (q->out->graph, t);
      if (a != NULL)
        emit_qdq (q, a, in);
    }
  for (guint i = 0; i < order->len; i++)
    if (!emit_node (q, g_ptr_array_index (order, i), error))
      return FALSE;
  return lamina_rewrite_finish (q->out->graph, g, error);
}

/* ---- the model ---------------------------------------------------------------------- */

static void
set_metadata (LaminaModel *m, const char *key, char *value)
{
  for (guint i = 0; i < m->metadata->len; i++)
    {
      LaminaMetadata *e = &g_array_index (m->metadata, LaminaMetadata, i);
      if (strcmp (e->key, key) == 0)
        {
          g_free (e->value);
          e->value = value;
          return;
        }
    }
  {
    LaminaMetadata e = { g_strdup (key), value };
    g_array_append_val (m->metadata, e);
  }
}

static void
finish_model (Quantizer *q)
{
  LaminaModel *m = q->out;
  const LaminaQuantizeOptions *o = q->o;

  m->kind = LAMINA_KIND_FIXED;
  g_free (m->format_version);
  m->format_version = g_strdup ("IR v8");
  g_free (m->producer);
  m->producer = g_strdup ("Lamina quantizer");
  if (q->uses_ms)
    {
      LaminaOpset ms = { g_strdup (MS_DOMAIN), 1 };
      g_array_append_val (m->opsets, ms);
    }
  set_metadata (m, LAMINA_QUANT_FLOAT_OF_KEY, g_string_free (g_steal_pointer (&q->float_of), FALSE));
  set_metadata (m, "lamina.quantize",
                g_strdup_printf ("method=%s percentile=%g bits=%d", lamina_calib_method_name (o->method),
                                 o->percentile > 0 ? o->percentile : LAMINA_CALIB_DEFAULT_PERCENTILE,
                                 o->bits == 16 ? 16 : 8));
}

static gboolean
check_float_model (const LaminaModel *model, GError **error)
{
  if (model->format != LAMINA_FORMAT_ONNX || model->kind != LAMINA_KIND_FLOAT)
    {
      g_set_error (error, LAMINA_GRAPH_ERROR, LAMINA_GRAPH_ERROR_UNSUPPORTED,
                   _("the quantizer takes a float ONNX model (this one is %s %s)"),
                   lamina_kind_name (model->kind), lamina_format_name (model->format));
      return FALSE;
    }
  return TRUE;
}

LaminaModel *
lamina_quantize (const LaminaModel *model, const LaminaCalibration *calib,
                 const LaminaQuantizeOptions *options, LaminaQuantizeStats *stats, GError **error)
{
  static const LaminaQuantizeOptions defaults = { 0 };
  LaminaQuantizeStats local_stats = { 0 };
  g_autoptr(LaminaModel) folded = NULL, prepared = NULL;
  g_autoptr(GHashTable) acts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GHashTable) mapped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) weights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weight_free);
  Quantizer q = { 0 };
  gboolean ok;

  if (!check_float_model (model, error))
    return NULL;
  stats = stats ? stats : &local_stats;
  memset (stats, 0, sizeof *stats);
  if ((folded = lamina_fold_batchnorm (model, &stats->n_bn_folded, error)) == NULL ||
      (prepared = lamina_upgrade_opset13 (folded, error)) == NULL)
    return NULL;
  q = (Quantizer) { prepared, calib, options ? options : &defaults, stats,
                    lamina_rewrite_model_shell (prepared), acts, mapped, weights,
                    g_string_new (NULL), FALSE };
  collect_acts (&q);
  share_params (&q);
  compute_params (&q);
  ok = emit_graph (&q, error);
  if (ok)
    finish_model (&q);
  if (q.float_of)
    g_string_free (q.float_of, TRUE);
  if (!ok)
    {
      lamina_model_free (q.out);
      return NULL;
    }
  return q.out;
}

/* ---- preset rules and provenance ----------------------------------------------------- */

static GStrv
split_rules (GKeyFile *kf, const char *key)
{
  g_autofree char *v = g_key_file_get_value (kf, "QUANTIZE", key, NULL);
  g_auto(GStrv) parts = v ? g_strsplit_set (v, ",;", -1) : NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; parts && parts[i]; i++)
    if (g_strstrip (parts[i])[0] != '\0')
      g_strv_builder_add (b, parts[i]);
  return g_strv_builder_end (b);
}

gboolean
lamina_quantize_preset_rules (const char *preset_path, GStrv *keep_float, GStrv *int16, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, preset_path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", preset_path);
      return FALSE;
    }
  *keep_float = split_rules (kf, "keep_float");
  *int16 = split_rules (kf, "int16");
  return TRUE;
}

GHashTable *
lamina_quantize_float_of (const LaminaModel *fixed)
{
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < fixed->metadata->len; i++)
    {
      const LaminaMetadata *e = &g_array_index (fixed->metadata, LaminaMetadata, i);
      g_auto(GStrv) lines = NULL;
      if (strcmp (e->key, LAMINA_QUANT_FLOAT_OF_KEY) != 0)
        continue;
      lines = g_strsplit (e->value, "\n", -1);
      for (guint k = 0; lines[k]; k++)
        {
          g_auto(GStrv) f = g_strsplit (lines[k], "\t", 3);
          if (f[0] && f[1] && !f[2])
            g_hash_table_insert (map, g_strcompress (f[0]), g_strcompress (f[1]));
        }
    }
  return map;
}
