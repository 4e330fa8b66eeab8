/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-shape-infer.c: fills in the shapes a file did not store, so edges
 * can be labelled. Only what follows for certain from the inputs is filled
 * in; anything else stays unknown and is drawn as "?". A shape the file
 * states is never overwritten.
 *
 * One sorted table maps operator names to a shape rule and, for operators
 * that compute shapes at run time, a fold that tracks the values of small
 * tensors (lamina-shape-fold.c). Nodes are visited in topological order.
 */
#define G_LOG_DOMAIN "lamina-shape"

#include <math.h>
#include <stdlib.h>  /* bsearch */
#include <string.h>
#include "lamina-shape-infer.h"
#include "lamina-shape-private.h"

#define MAX_RANK LAMINA_SHAPE_MAX_RANK

static const LaminaDim unknown_dim = { -1, NULL };

/* ---- helpers ------------------------------------------------------------ */

static LaminaTensor *
input (LaminaNode *n, guint i)
{
  return i < n->inputs->len ? g_ptr_array_index (n->inputs, i) : NULL;
}

static LaminaTensor *
output (LaminaNode *n, guint i)
{
  return i < n->outputs->len ? g_ptr_array_index (n->outputs, i) : NULL;
}

static gboolean
known_rank (const LaminaTensor *t)
{
  return t != NULL && t->shape.rank >= 0 && t->shape.rank <= MAX_RANK;
}

/* Sets out's shape from dims unless the file already stated one; the
 * table row's dtype, when set, wins over the rule's. */
static void
set_output (LaminaInfer *cx, LaminaTensor *out, int rank, const LaminaDim *dims, LaminaDType dtype)
{
  if (out == NULL || rank < 0 || rank > MAX_RANK)
    return;
  if (cx->entry->dtype != LAMINA_DTYPE_UNDEFINED)
    dtype = cx->entry->dtype;
  if (out->dtype == LAMINA_DTYPE_UNDEFINED)
    out->dtype = dtype;
  if (out->shape.rank >= 0)
    return;
  lamina_shape_set_rank (&out->shape, rank);
  for (int i = 0; i < rank; i++)
    {
      out->shape.dims[i].value = dims[i].value >= 0 ? dims[i].value : -1;
      out->shape.dims[i].symbol = dims[i].value >= 0 ? NULL : g_strdup (dims[i].symbol);
    }
}

/* Only the rank is known. */
static void
set_rank (LaminaInfer *cx, LaminaTensor *out, int rank, LaminaDType dtype)
{
  LaminaDim dims[MAX_RANK];

  for (int i = 0; i < rank && i < MAX_RANK; i++)
    dims[i] = unknown_dim;
  set_output (cx, out, rank, dims, dtype);
}

/* Products and sums of dimensions: -1 when unknown or out of range. */
static gint64
dim_mul (gint64 a, gint64 b)
{
  if (a < 0 || b < 0 || (b != 0 && a > G_MAXINT64 / b))
    return -1;
  return a * b;
}

static gint64
dim_add (gint64 a, gint64 b)
{
  if (a < 0 || (b > 0 && a > G_MAXINT64 - b))
    return -1;
  return a + b >= 0 ? a + b : -1;
}

/* A dimension from a double (a shape value): -1 unless a valid size. */
static gint64
to_dim (double v)
{
  return v >= 0 && v < 9.2e18 && v == floor (v) ? (gint64) v : -1;
}

static LaminaDim
value_dim (const LaminaFoldValue *v, gsize i)
{
  gint64 d = to_dim (v->v[i]);

  return (LaminaDim) { d, d < 0 && v->sym ? v->sym[i] : NULL };
}

/* A negative axis counts from the end; -1 when out of range. */
static int
norm_axis (gint64 axis, int rank)
{
  axis = axis < 0 ? axis + rank : axis;
  return axis >= 0 && axis < rank ? (int) axis : -1;
}

/* Length of a 1-D tensor whose shape is known even if its values are not:
 * the rank of a Reshape / Expand / ConstantOfShape result. -1 otherwise. */
static int
vector_length (const LaminaTensor *t)
{
  if (t == NULL || t->shape.rank != 1 || t->shape.dims[0].value < 0 || t->shape.dims[0].value > MAX_RANK)
    return -1;
  return (int) t->shape.dims[0].value;
}

/* An INTS or FLOATS attribute seen as a value (older opsets put shapes,
 * scales ... in attributes). */
static gboolean
attr_value (const LaminaNode *n, const char *name, LaminaFoldValue *tmp, double *buf)
{
  const LaminaAttr *a = lamina_node_get_attr (n, name);

  /* a file may declare INTS but fill another field: check the pointer too */
  if (a == NULL || a->n > MAX_RANK || !(a->type == LAMINA_ATTR_INTS ? a->ints != NULL
                                        : a->type == LAMINA_ATTR_FLOATS && a->floats != NULL))
    return FALSE;
  for (guint i = 0; i < a->n; i++)
    buf[i] = a->type == LAMINA_ATTR_INTS ? (double) a->ints[i] : a->floats[i];
  *tmp = (LaminaFoldValue) { a->n, buf, NULL };
  return TRUE;
}

/* list[i] when the attribute holds `expect` entries, else fallback. */
static gint64
ints_at (const LaminaNode *n, const char *name, int i, int expect, gint64 fallback)
{
  guint len;
  const gint64 *list = lamina_node_get_ints (n, name, &len);

  return list != NULL && (int) len == expect ? list[i] : fallback;
}

static gboolean
same_dim (const LaminaDim *a, const LaminaDim *b)
{
  return a->value == b->value && g_strcmp0 (a->symbol, b->symbol) == 0;
}

/* One dimension of a broadcast: an unknown one must be 1 or equal to a
 * known size above 1, so the known size wins. */
static void
merge_dim (LaminaDim *dst, const LaminaDim *src)
{
  if (src->value == 1 || same_dim (dst, src))
    return;
  if (dst->value == 1 || (src->value > 1 && dst->value < 0))
    *dst = *src;
  else if (!(dst->value > 1 && src->value < 0))
    *dst = unknown_dim;
}

/* NumPy broadcasting of dims (right-aligned) into acc[0..*acc_rank). */
static void
merge_broadcast (LaminaDim *acc, int *acc_rank, const LaminaDim *dims, int rank)
{
  if (rank > *acc_rank)
    {
      int grow = rank - *acc_rank;
      memmove (acc + grow, acc, sizeof (LaminaDim) * *acc_rank);
      for (int i = 0; i < grow; i++)
        acc[i] = (LaminaDim) { 1, NULL };
      *acc_rank = rank;
    }
  for (int d = 0; d < rank; d++)
    merge_dim (&acc[*acc_rank - rank + d], &dims[d]);
}

/* ---- element-wise ------------------------------------------------------- */

static void
same_as_input (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);

  if (known_rank (x))
    set_output (cx, output (n, 0), x->shape.rank, x->shape.dims, x->dtype);
}

/* Broadcast over inputs [first, inputs->len); dtype of input dtype_from. */
static void
broadcast_from (LaminaInfer *cx, LaminaNode *n, guint first, guint dtype_from)
{
  LaminaDim dims[MAX_RANK];
  int rank = 0;

  for (guint i = first; i < n->inputs->len; i++)
    if (!known_rank (input (n, i)))
      return;
  for (guint i = first; i < n->inputs->len; i++)
    merge_broadcast (dims, &rank, input (n, i)->shape.dims, input (n, i)->shape.rank);
  if (n->inputs->len > first && input (n, dtype_from) != NULL)
    set_output (cx, output (n, 0), rank, dims, input (n, dtype_from)->dtype);
}

static void
broadcast (LaminaInfer *cx, LaminaNode *n)
{
  broadcast_from (cx, n, 0, 0);
}

/* Where (cond, x, y): the values' dtype is x's. */
static void
where (LaminaInfer *cx, LaminaNode *n)
{
  broadcast_from (cx, n, 0, 1);
}

/* QuantizeLinear gives its zero point's type (uint8 without one),
 * DequantizeLinear its scale's. */
static void
quantize_linear (LaminaInfer *cx, LaminaNode *n)
{
  gboolean quantize = n->op_type[0] == 'Q';
  LaminaTensor *x = input (n, 0), *typed = input (n, quantize ? 2 : 1);
  LaminaDType dtype = typed ? typed->dtype : quantize ? LAMINA_DTYPE_UINT8 : LAMINA_DTYPE_FLOAT32;

  if (known_rank (x))
    set_output (cx, output (n, 0), x->shape.rank, x->shape.dims, dtype);
}

static void
cast (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 to = lamina_node_get_int (n, "to", 0);

  if (known_rank (x))
    set_output (cx, output (n, 0), x->shape.rank, x->shape.dims,
                lamina_dtype_from_onnx (to));
}

/* ---- convolution and pooling -------------------------------------------- */

/* Spatial output size of Conv / pooling, or -1 when it cannot be known. */
static gint64
spatial_size (const LaminaNode *n, gint64 in, gint64 k, int i, int n_spatial)
{
  gint64 s = ints_at (n, "strides", i, n_spatial, 1);
  gint64 d = ints_at (n, "dilations", i, n_spatial, 1);
  gint64 p = ints_at (n, "pads", i, 2 * n_spatial, 0) + ints_at (n, "pads", i + n_spatial, 2 * n_spatial, 0);
  const char *auto_pad = lamina_node_get_string (n, "auto_pad", "NOTSET");
  gint64 ek = dim_mul (d, k - 1) + 1;

  if (in < 0 || k < 1 || s <= 0 || d <= 0 || ek <= 0 || p < 0 || in > G_MAXINT64 / 2)
    return -1;
  if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
    return (in + s - 1) / s;
  if (strcmp (auto_pad, "VALID") == 0)
    p = 0;
  if (in + p < ek)
    return -1;
  if (lamina_node_get_int (n, "ceil_mode", 0))
    return (in + p - ek + s - 1) / s + 1;
  return (in + p - ek) / s + 1;
}

/* Spatial output size of Conv / pooling, or unknown. With stride 1 and
 * "same" padding an unknown or symbolic input size passes through. */
static LaminaDim
spatial_out (const LaminaNode *n, const LaminaDim *in_dim, gint64 k, int i, int n_spatial)
{
  gint64 in = in_dim->value, out = spatial_size (n, in, k, i, n_spatial);

  if (in >= 0 || k < 1)
    return (LaminaDim) { out, NULL };
  /* the size is kept for one (large) size iff it is kept for all */
  if (ints_at (n, "strides", i, n_spatial, 1) == 1 && spatial_size (n, 1 << 20, k, i, n_spatial) == 1 << 20)
    return *in_dim;
  return unknown_dim;
}

/* Conv, MaxPool, AveragePool, LpPool: N × C' × spatial. */
static void
conv_or_pool (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *w = input (n, 1);
  gboolean is_conv = strcmp (n->op_type, "Conv") == 0;
  LaminaDim dims[MAX_RANK];
  int rank, n_spatial;

  if (!known_rank (x) || x->shape.rank < 3 || (is_conv && !known_rank (w)))
    return;
  rank = x->shape.rank;
  n_spatial = rank - 2;
  dims[0] = x->shape.dims[0];
  dims[1] = is_conv ? (w->shape.rank > 0 ? w->shape.dims[0] : unknown_dim) : x->shape.dims[1];
  for (int i = 0; i < n_spatial; i++)
    {
      gint64 k = ints_at (n, "kernel_shape", i, n_spatial,
                          is_conv && w->shape.rank == rank ? w->shape.dims[2 + i].value : -1);
      dims[2 + i] = spatial_out (n, &x->shape.dims[2 + i], k, i, n_spatial);
    }
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

/* stride × (in - 1) + output_padding + dilated kernel - pads */
static gint64
transposed_out (const LaminaNode *n, gint64 in, gint64 k, int i, int n_spatial)
{
  gint64 s = ints_at (n, "strides", i, n_spatial, 1);
  gint64 d = ints_at (n, "dilations", i, n_spatial, 1);
  gint64 op = ints_at (n, "output_padding", i, n_spatial, 0);
  gint64 p = ints_at (n, "pads", i, 2 * n_spatial, 0) + ints_at (n, "pads", i + n_spatial, 2 * n_spatial, 0);
  const char *auto_pad = lamina_node_get_string (n, "auto_pad", "NOTSET");
  gint64 grown = dim_mul (s, in - 1), ek = dim_mul (d, k - 1);

  if (in < 1 || k < 1 || s <= 0 || d <= 0 || op < 0 || grown < 0 || ek < 0 || grown > G_MAXINT64 / 4)
    return -1;
  if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
    return dim_mul (in, s);
  if (strcmp (auto_pad, "VALID") == 0)
    p = 0;
  return grown + op + ek + 1 - p >= 0 ? grown + op + ek + 1 - p : -1;
}

/* x [N, C, spatial], w [C, M / group, kernel] → [N, M, spatial'] */
static void
conv_transpose (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *w = input (n, 1);
  LaminaDim dims[MAX_RANK];
  int rank, n_spatial;

  if (!known_rank (x) || x->shape.rank < 3 || !known_rank (w) || w->shape.rank != x->shape.rank)
    return;
  rank = x->shape.rank;
  n_spatial = rank - 2;
  dims[0] = x->shape.dims[0];
  dims[1] = (LaminaDim) { dim_mul (w->shape.dims[1].value, lamina_node_get_int (n, "group", 1)), NULL };
  for (int i = 0; i < n_spatial; i++)
    {
      gint64 k = ints_at (n, "kernel_shape", i, n_spatial, w->shape.dims[2 + i].value);
      gint64 given = ints_at (n, "output_shape", i, n_spatial, -1);
      dims[2 + i] = (LaminaDim) { given >= 0 ? given : transposed_out (n, x->shape.dims[2 + i].value, k, i, n_spatial), NULL };
    }
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

static void
global_pool (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];

  if (!known_rank (x) || x->shape.rank < 2)
    return;
  dims[0] = x->shape.dims[0];
  dims[1] = x->shape.dims[1];
  for (int i = 2; i < x->shape.rank; i++)
    dims[i] = (LaminaDim) { 1, NULL };
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

/* ---- matrix products ---------------------------------------------------- */

/* Batched, broadcasting MatMul; a 1-D operand gains and then loses a
 * dimension (NumPy matmul). */
static void
matmul (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *a = input (n, 0), *b = input (n, 1);
  LaminaDim dims[MAX_RANK];
  int ra, rb, rank = 0;

  if (!known_rank (a) || !known_rank (b) || a->shape.rank < 1 || b->shape.rank < 1)
    return;
  ra = a->shape.rank;
  rb = b->shape.rank;
  merge_broadcast (dims, &rank, a->shape.dims, MAX (ra - 2, 0));
  merge_broadcast (dims, &rank, b->shape.dims, MAX (rb - 2, 0));
  if (ra >= 2)
    dims[rank++] = a->shape.dims[ra - 2];
  if (rb >= 2)
    dims[rank++] = b->shape.dims[rb - 1];
  set_output (cx, output (n, 0), rank, dims, a->dtype);
}

/* [M, K] × [K, N] → [M, N], honouring transA / transB. */
static void
gemm (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *a = input (n, 0), *b = input (n, 1);
  LaminaDim dims[2];

  if (!known_rank (a) || !known_rank (b) || a->shape.rank != 2 || b->shape.rank != 2)
    return;
  dims[0] = a->shape.dims[lamina_node_get_int (n, "transA", 0) ? 1 : 0];
  dims[1] = b->shape.dims[lamina_node_get_int (n, "transB", 0) ? 0 : 1];
  set_output (cx, output (n, 0), 2, dims, a->dtype);
}

/* ---- shape manipulation ------------------------------------------------- */

static void
concat (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  int axis;
  gint64 sum = 0;

  if (!known_rank (x) || (axis = norm_axis (lamina_node_get_int (n, "axis", 0), x->shape.rank)) < 0)
    return;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  for (guint i = 0; i < n->inputs->len; i++)
    {
      LaminaTensor *t = input (n, i);
      if (!known_rank (t) || t->shape.rank != x->shape.rank)
        return;
      for (int d = 0; d < t->shape.rank; d++)
        if (d != axis)
          merge_dim (&dims[d], &t->shape.dims[d]);  /* inputs agree: take what is known */
      sum = t->shape.dims[axis].value < 0 ? -1 : dim_add (sum, t->shape.dims[axis].value);
    }
  dims[axis] = (LaminaDim) { sum, NULL };
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

static void
transpose (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  guint len;
  const gint64 *perm = lamina_node_get_ints (n, "perm", &len);
  int rank;

  if (!known_rank (x))
    return;
  rank = x->shape.rank;
  if (perm != NULL && (int) len != rank)
    return;
  for (int i = 0; i < rank; i++)
    {
      gint64 p = perm ? perm[i] : rank - 1 - i;
      if (p < 0 || p >= rank)
        return;
      dims[i] = x->shape.dims[p];
    }
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

/* Marks input dimension j used when it has symbol sym. */
static gboolean
take_symbol (const LaminaTensor *x, gboolean *used, const char *sym)
{
  for (int j = 0; j < x->shape.rank; j++)
    if (!used[j] && g_strcmp0 (x->shape.dims[j].symbol, sym) == 0)
      return used[j] = TRUE;
  return FALSE;
}

/* The -1 entry of a Reshape: the input's elements over the other output
 * dimensions. Symbolic dimensions on both sides cancel, so [N, 120, 1, W]
 * → [N, 120, -1] gives W even when N and W are not known. */
static LaminaDim
reshape_rest (const LaminaTensor *x, const LaminaDim *dims, int rank, int at)
{
  gboolean used[MAX_RANK] = { FALSE };
  gint64 in_known = 1, out_known = 1;
  LaminaDim rest = unknown_dim;
  int n_unknown = 0;

  if (!known_rank (x))
    return unknown_dim;
  for (int i = 0; i < rank; i++)
    if (i != at && dims[i].value >= 0)
      out_known = dim_mul (out_known, dims[i].value);
    else if (i != at && (dims[i].symbol == NULL || !take_symbol (x, used, dims[i].symbol)))
      return unknown_dim;
  for (int j = 0; j < x->shape.rank; j++)
    if (!used[j] && x->shape.dims[j].value >= 0)
      in_known = dim_mul (in_known, x->shape.dims[j].value);
    else if (!used[j])
      {
        rest = x->shape.dims[j];
        n_unknown++;
      }
  if (in_known < 0 || out_known <= 0)
    return unknown_dim;
  if (n_unknown == 0 && in_known % out_known == 0)
    return (LaminaDim) { in_known / out_known, NULL };
  return n_unknown == 1 && in_known == out_known ? rest : unknown_dim;
}

/* Reshape: 0 copies the input dimension (unless allowzero), -1 takes the
 * rest; the target may be a constant, a folded value or (opset < 5) an
 * attribute. With only the target's length known, the rank still is. */
static void
reshape (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  const LaminaFoldValue *v = lamina_infer_value (cx, input (n, 1));
  gboolean allowzero = lamina_node_get_int (n, "allowzero", 0);
  LaminaDType dtype = x ? x->dtype : LAMINA_DTYPE_UNDEFINED;
  LaminaDim dims[MAX_RANK];
  LaminaFoldValue tmp;
  double buf[MAX_RANK];
  int infer_at = -1;

  if (v == NULL && attr_value (n, "shape", &tmp, buf))
    v = &tmp;
  if (v == NULL || v->n > MAX_RANK)
    {
      set_rank (cx, output (n, 0), vector_length (input (n, 1)), dtype);
      return;
    }
  for (int i = 0; i < (int) v->n; i++)
    {
      dims[i] = value_dim (v, i);
      if (v->v[i] == 0 && !allowzero)
        dims[i] = known_rank (x) && i < x->shape.rank ? x->shape.dims[i] : unknown_dim;
      else if (v->v[i] == -1 && infer_at < 0)
        infer_at = i;
    }
  if (infer_at >= 0)
    dims[infer_at] = reshape_rest (x, dims, (int) v->n, infer_at);
  set_output (cx, output (n, 0), (int) v->n, dims, dtype);
}

static void
flatten (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 axis = lamina_node_get_int (n, "axis", 1);
  LaminaDim dims[2] = { { 1, NULL }, { 1, NULL } };

  if (!known_rank (x))
    return;
  if (axis < 0)
    axis += x->shape.rank;
  if (axis < 0 || axis > x->shape.rank)
    return;
  for (int i = 0; i < x->shape.rank; i++)
    {
      LaminaDim *d = &dims[i < axis ? 0 : 1];
      d->value = dim_mul (d->value, x->shape.dims[i].value);
    }
  set_output (cx, output (n, 0), 2, dims, x->dtype);
}

/* out = data.shape[:axis] + indices.shape + data.shape[axis+1:] */
static void
gather (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *idx = input (n, 1);
  LaminaDim dims[MAX_RANK];
  int axis, rank = 0;

  if (!known_rank (x) || !known_rank (idx) || x->shape.rank - 1 + idx->shape.rank > MAX_RANK ||
      (axis = norm_axis (lamina_node_get_int (n, "axis", 0), x->shape.rank)) < 0)
    return;
  for (int i = 0; i < axis; i++)
    dims[rank++] = x->shape.dims[i];
  for (int i = 0; i < idx->shape.rank; i++)
    dims[rank++] = idx->shape.dims[i];
  for (int i = axis + 1; i < x->shape.rank; i++)
    dims[rank++] = x->shape.dims[i];
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

/* GatherElements: the indices' shape, the data's dtype. */
static void
like_indices (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *idx = input (n, 1);

  if (x != NULL && known_rank (idx))
    set_output (cx, output (n, 0), idx->shape.rank, idx->shape.dims, x->dtype);
}

static void
shape_op (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim d = unknown_dim;
  int start, end;

  if (known_rank (x))
    {
      lamina_infer_shape_range (n, x->shape.rank, &start, &end);
      d.value = end - start;
    }
  set_output (cx, output (n, 0), 1, &d, LAMINA_DTYPE_INT64);
}

static void
scalar (LaminaInfer *cx, LaminaNode *n)
{
  set_output (cx, output (n, 0), 0, NULL, LAMINA_DTYPE_UNDEFINED);
}

static void
unsqueeze (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  gint64 axes[MAX_RANK];
  gboolean listed[MAX_RANK] = { FALSE };
  int n_axes, rank, src = 0;

  if (!known_rank (x))
    return;
  n_axes = lamina_infer_read_list (cx, n, "axes", 1, axes, MAX_RANK);
  if (n_axes < 0)
    {
      int len = vector_length (input (n, 1));
      set_rank (cx, output (n, 0), len >= 0 ? x->shape.rank + len : -1, x->dtype);
      return;
    }
  rank = x->shape.rank + n_axes;
  if (rank > MAX_RANK)
    return;
  for (int k = 0; k < n_axes; k++)
    {
      int a = norm_axis (axes[k], rank);
      if (a < 0 || listed[a])
        return;
      listed[a] = TRUE;
    }
  for (int i = 0; i < rank; i++)
    dims[i] = listed[i] ? (LaminaDim) { 1, NULL } : x->shape.dims[src++];
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

/* Removes (or with keep, sets to 1) the listed dimensions. */
static void
reduce_dims (LaminaInfer *cx, LaminaTensor *out, const LaminaTensor *x,
             const gboolean *listed, gboolean keep, LaminaDType dtype)
{
  LaminaDim dims[MAX_RANK];
  int rank = 0;

  for (int i = 0; i < x->shape.rank; i++)
    if (!listed[i])
      dims[rank++] = x->shape.dims[i];
    else if (keep)
      dims[rank++] = (LaminaDim) { 1, NULL };
  set_output (cx, out, rank, dims, dtype);
}

/* Squeeze (listed axes, or every 1) and the Reduce* family (listed axes,
 * or all; keepdims). */
static void
drop_axes (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gboolean squeeze = strcmp (n->op_type, "Squeeze") == 0;
  gboolean keep = !squeeze && lamina_node_get_int (n, "keepdims", 1);
  gboolean listed[MAX_RANK] = { FALSE };
  gint64 axes[MAX_RANK];
  int n_axes;

  if (!known_rank (x))
    return;
  n_axes = lamina_infer_read_list (cx, n, "axes", 1, axes, MAX_RANK);
  if (n_axes == -1)
    {
      if (keep)
        set_rank (cx, output (n, 0), x->shape.rank, x->dtype);
      return;
    }
  if (n_axes <= 0 && !squeeze && lamina_node_get_int (n, "noop_with_empty_axes", 0))
    {
      same_as_input (cx, n);
      return;
    }
  for (int k = 0; k < n_axes; k++)
    {
      int a = norm_axis (axes[k], x->shape.rank);
      if (a < 0)
        return;
      listed[a] = TRUE;
    }
  for (int i = 0; i < x->shape.rank && n_axes <= 0; i++)
    {
      if (squeeze && x->shape.dims[i].value < 0)
        return;  /* an unknown dimension might be 1: cannot tell */
      listed[i] = !squeeze || x->shape.dims[i].value == 1;
    }
  reduce_dims (cx, output (n, 0), x, listed, keep, x->dtype);
}

/* ArgMax, ArgMin: one axis, int64 indices. */
static void
arg_reduce (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gboolean listed[MAX_RANK] = { FALSE };
  int axis;

  if (!known_rank (x) || (axis = norm_axis (lamina_node_get_int (n, "axis", 0), x->shape.rank)) < 0)
    return;
  listed[axis] = TRUE;
  reduce_dims (cx, output (n, 0), x, listed, lamina_node_get_int (n, "keepdims", 1), LAMINA_DTYPE_INT64);
}

static void
slice (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaSliceAxis axes[MAX_RANK];
  LaminaDim dims[MAX_RANK];
  gint64 in[MAX_RANK];

  if (!known_rank (x))
    return;
  for (int d = 0; d < x->shape.rank; d++)
    in[d] = x->shape.dims[d].value;
  if (!lamina_infer_slice_axes (cx, n, x->shape.rank, in, axes))
    {
      set_rank (cx, output (n, 0), x->shape.rank, x->dtype);
      return;
    }
  for (int d = 0; d < x->shape.rank; d++)
    dims[d] = axes[d].whole ? x->shape.dims[d] : (LaminaDim) { axes[d].len, NULL };
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

/* Resize (sizes, or floor(in × scale)) and Upsample. Resize-10 and
 * Upsample-9 take scales as input 1, Upsample-7 as an attribute, Resize-11+
 * take roi, scales, sizes; opset 18 may restrict them to `axes`. */
static void
resize (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gboolean v10 = strcmp (n->op_type, "Upsample") == 0 || n->inputs->len == 2;
  const LaminaFoldValue *scales = lamina_infer_value (cx, input (n, v10 ? 1 : 2));
  const LaminaFoldValue *sizes = v10 ? NULL : lamina_infer_value (cx, input (n, 3));
  LaminaDim dims[MAX_RANK];
  LaminaFoldValue tmp;
  double buf[MAX_RANK];
  guint n_axes;
  const gint64 *axes = lamina_node_get_ints (n, "axes", &n_axes);

  if (!known_rank (x))
    return;
  if (scales == NULL && attr_value (n, "scales", &tmp, buf))
    scales = &tmp;
  n_axes = axes ? n_axes : (guint) x->shape.rank;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  for (guint k = 0; k < n_axes; k++)
    {
      int a = norm_axis (axes ? axes[k] : (gint64) k, x->shape.rank);
      gint64 in;
      if (a < 0)
        return;
      in = x->shape.dims[a].value;
      if (sizes != NULL && sizes->n == n_axes)
        dims[a] = value_dim (sizes, k);
      else if (scales != NULL && scales->n == n_axes && scales->v[k] == 1)
        continue;  /* even a symbolic dimension stays itself */
      else if (scales != NULL && scales->n == n_axes && in >= 0 && scales->v[k] >= 0)
        dims[a] = (LaminaDim) { to_dim (floor ((double) in * scales->v[k])), NULL };
      else
        dims[a] = unknown_dim;
    }
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

/* Split: sizes from the `split` input or attribute, else equal parts
 * (opset 18: the last part may be smaller). */
static void
split (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  guint n_out = n->outputs->len;
  g_autofree gint64 *sizes = g_new (gint64, MAX (n_out, 1));
  LaminaDim dims[MAX_RANK];
  int axis, n_sizes;
  gint64 dim, chunk;

  if (!known_rank (x) || n_out == 0 || n_out > LAMINA_SHAPE_MAX_VALUES ||
      (axis = norm_axis (lamina_node_get_int (n, "axis", 0), x->shape.rank)) < 0)
    return;
  n_sizes = lamina_infer_read_list (cx, n, "split", 1, sizes, (int) n_out);
  dim = x->shape.dims[axis].value;
  chunk = dim >= 0 ? dim / n_out + (dim % n_out != 0) : -1;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  for (guint i = 0; i < n_out; i++)
    {
      gint64 part = n_sizes == (int) n_out ? sizes[i]
                    : n_sizes == LAMINA_INFER_ABSENT && chunk >= 0 ? MIN (chunk, MAX (dim - chunk * (gint64) i, 0))
                    : -1;
      dims[axis] = (LaminaDim) { part, NULL };
      set_output (cx, output (n, i), x->shape.rank, dims, x->dtype);
    }
}

/* Pad: pads as attribute (opset < 11) or input, optionally for `axes`
 * (input 3, opset 18). */
static void
pad (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 pads[2 * MAX_RANK], axes[MAX_RANK];
  LaminaDim dims[MAX_RANK];
  int n_pads, n_axes;

  if (!known_rank (x))
    return;
  n_pads = lamina_infer_read_list (cx, n, "pads", 1, pads, 2 * MAX_RANK);
  n_axes = input (n, 3) ? lamina_infer_read_ints (cx, input (n, 3), axes, MAX_RANK) : x->shape.rank;
  if (n_pads < 0 || n_axes < 0 || n_pads != 2 * n_axes)
    {
      set_rank (cx, output (n, 0), x->shape.rank, x->dtype);
      return;
    }
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  for (int k = 0; k < n_axes; k++)
    {
      int a = norm_axis (input (n, 3) ? axes[k] : k, x->shape.rank);
      if (a < 0)
        return;
      if (pads[k] != 0 || pads[k + n_axes] != 0)
        dims[a] = (LaminaDim) { dim_add (dim_add (x->shape.dims[a].value, pads[k]), pads[k + n_axes]), NULL };
    }
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

/* Expand: the input broadcast with the target shape. */
static void
expand (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  const LaminaFoldValue *v = lamina_infer_value (cx, input (n, 1));
  LaminaDim dims[MAX_RANK], target[MAX_RANK];
  int rank;

  if (!known_rank (x))
    return;
  if (v == NULL || v->n > MAX_RANK)
    {
      int len = vector_length (input (n, 1));
      set_rank (cx, output (n, 0), len >= 0 ? MAX (len, x->shape.rank) : -1, x->dtype);
      return;
    }
  rank = x->shape.rank;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * rank);
  for (gsize i = 0; i < v->n; i++)
    target[i] = value_dim (v, i);
  merge_broadcast (dims, &rank, target, (int) v->n);
  set_output (cx, output (n, 0), rank, dims, x->dtype);
}

static void
tile (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 repeats[MAX_RANK];
  LaminaDim dims[MAX_RANK];

  if (!known_rank (x))
    return;
  if (lamina_infer_read_ints (cx, input (n, 1), repeats, MAX_RANK) != x->shape.rank)
    {
      set_rank (cx, output (n, 0), x->shape.rank, x->dtype);
      return;
    }
  for (int i = 0; i < x->shape.rank; i++)
    dims[i] = repeats[i] == 1 ? x->shape.dims[i] : (LaminaDim) { dim_mul (x->shape.dims[i].value, repeats[i]), NULL };
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
}

/* DepthToSpace [N, C/b², H·b, W·b] and SpaceToDepth [N, C·b², H/b, W/b] */
static void
depth_space (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 b = lamina_node_get_int (n, "blocksize", 0), bb = dim_mul (b, b);
  gboolean to_space = n->op_type[0] == 'D';
  LaminaDim dims[4];

  if (!known_rank (x) || x->shape.rank != 4 || b <= 0 || bb <= 0)
    return;
  dims[0] = x->shape.dims[0];
  for (int i = 1; i < 4; i++)
    {
      gint64 v = x->shape.dims[i].value, grow = i == 1 ? bb : b;
      gboolean divide = (i == 1) == to_space;
      dims[i] = (LaminaDim) { v < 0 ? -1 : divide ? (v % grow == 0 ? v / grow : -1) : dim_mul (v, grow), NULL };
    }
  set_output (cx, output (n, 0), 4, dims, x->dtype);
}

/* TopK: values and int64 indices, K along `axis`. */
static void
topk (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  gint64 k = lamina_node_get_int (n, "k", -1);
  int axis;

  if (!known_rank (x) || (axis = norm_axis (lamina_node_get_int (n, "axis", -1), x->shape.rank)) < 0)
    return;
  if (input (n, 1) != NULL && lamina_infer_read_ints (cx, input (n, 1), &k, 1) != 1)
    k = -1;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  dims[axis] = (LaminaDim) { k >= 0 ? k : -1, NULL };
  set_output (cx, output (n, 0), x->shape.rank, dims, x->dtype);
  set_output (cx, output (n, 1), x->shape.rank, dims, LAMINA_DTYPE_INT64);
}

/* NonZero: [rank, number of non-zeros]. */
static void
non_zero (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[2] = { { 0, NULL }, { -1, NULL } };

  if (!known_rank (x))
    return;
  dims[0].value = x->shape.rank;
  set_output (cx, output (n, 0), 2, dims, LAMINA_DTYPE_INT64);
}

/* ---- sources of shape values -------------------------------------------- */

/* Constant with value_int(s) / value_float(s); the tensor form is the
 * loader's. */
static void
constant (LaminaInfer *cx, LaminaNode *n)
{
  static const struct { const char *name; LaminaDType dtype; gboolean list; } forms[] = {
    { "value_int", LAMINA_DTYPE_INT64, FALSE }, { "value_ints", LAMINA_DTYPE_INT64, TRUE },
    { "value_float", LAMINA_DTYPE_FLOAT32, FALSE }, { "value_floats", LAMINA_DTYPE_FLOAT32, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      const LaminaAttr *a = lamina_node_get_attr (n, forms[i].name);
      LaminaDim d = { a ? a->n : 0, NULL };
      if (a != NULL)
        set_output (cx, output (n, 0), forms[i].list ? 1 : 0, &d, forms[i].dtype);
    }
}

static void
constant_of_shape (LaminaInfer *cx, LaminaNode *n)
{
  const LaminaFoldValue *v = lamina_infer_value (cx, input (n, 0));
  const LaminaAttr *a = lamina_node_get_attr (n, "value");
  LaminaDType dtype = a && a->type == LAMINA_ATTR_TENSOR && a->t ? a->t->dtype : LAMINA_DTYPE_FLOAT32;
  LaminaDim dims[MAX_RANK];

  if (v == NULL || v->n > MAX_RANK)
    {
      set_rank (cx, output (n, 0), vector_length (input (n, 0)), dtype);
      return;
    }
  for (gsize i = 0; i < v->n; i++)
    dims[i] = value_dim (v, i);
  set_output (cx, output (n, 0), (int) v->n, dims, dtype);
}

/* Range: max(ceil((limit - start) / delta), 0) elements. */
static void
range (LaminaInfer *cx, LaminaNode *n)
{
  const LaminaFoldValue *start = lamina_infer_value (cx, input (n, 0));
  const LaminaFoldValue *limit = lamina_infer_value (cx, input (n, 1));
  const LaminaFoldValue *delta = lamina_infer_value (cx, input (n, 2));
  LaminaDim d = unknown_dim;

  if (start && limit && delta && start->n == 1 && limit->n == 1 && delta->n == 1 && delta->v[0] != 0)
    d.value = to_dim (MAX (ceil ((limit->v[0] - start->v[0]) / delta->v[0]), 0));
  set_output (cx, output (n, 0), 1, &d, input (n, 0) ? input (n, 0)->dtype : LAMINA_DTYPE_UNDEFINED);
}

/* ---- the table ---------------------------------------------------------- */

#define U LAMINA_DTYPE_UNDEFINED
#define BOOL LAMINA_DTYPE_BOOL
#define I64 LAMINA_DTYPE_INT64

/* Sorted by operator name (strcmp order). */
static const LaminaInferEntry infer_table[] = {
  { "Abs", same_as_input, lamina_fold_elementwise, U, LAMINA_ARITH_ABS },
  { "Acos", same_as_input },
  { "Acosh", same_as_input },
  { "Add", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_ADD },
  { "And", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_AND },
  { "ArgMax", arg_reduce },
  { "ArgMin", arg_reduce },
  { "Asin", same_as_input },
  { "Asinh", same_as_input },
  { "Atan", same_as_input },
  { "Atanh", same_as_input },
  { "AveragePool", conv_or_pool },
  { "BatchNormalization", same_as_input },
  { "Cast", cast, lamina_fold_cast },
  { "Ceil", same_as_input, lamina_fold_elementwise, U, LAMINA_ARITH_CEIL },
  { "Celu", same_as_input },
  { "Clip", same_as_input },
  { "Concat", concat, lamina_fold_concat },
  { "Constant", constant, lamina_fold_constant },
  { "ConstantOfShape", constant_of_shape, lamina_fold_constant_of_shape },
  { "Conv", conv_or_pool },
  { "ConvTranspose", conv_transpose },
  { "Cos", same_as_input },
  { "Cosh", same_as_input },
  { "CumSum", same_as_input },
  { "DepthToSpace", depth_space },
  { "DequantizeLinear", quantize_linear },
  { "Div", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_DIV },
  { "Dropout", same_as_input },
  { "Elu", same_as_input },
  { "Equal", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_EQUAL },
  { "Erf", same_as_input },
  { "Exp", same_as_input },
  { "Expand", expand, lamina_fold_expand },
  { "Flatten", flatten, lamina_fold_copy },
  { "Floor", same_as_input, lamina_fold_elementwise, U, LAMINA_ARITH_FLOOR },
  { "Gather", gather, lamina_fold_gather },
  { "GatherElements", like_indices },
  { "Gelu", same_as_input },
  { "Gemm", gemm },
  { "GlobalAveragePool", global_pool },
  { "GlobalLpPool", global_pool },
  { "GlobalMaxPool", global_pool },
  { "Greater", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_GREATER },
  { "GreaterOrEqual", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_GREATER_EQUAL },
  { "HardSigmoid", same_as_input },
  { "HardSwish", same_as_input },
  { "Hardmax", same_as_input },
  { "Identity", same_as_input, lamina_fold_copy },
  { "InstanceNormalization", same_as_input },
  { "IsInf", same_as_input, NULL, BOOL },
  { "IsNaN", same_as_input, NULL, BOOL },
  { "LRN", same_as_input },
  { "LayerNormalization", same_as_input },
  { "LeakyRelu", same_as_input },
  { "Less", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_LESS },
  { "LessOrEqual", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_LESS_EQUAL },
  { "Log", same_as_input },
  { "LogSoftmax", same_as_input },
  { "LpNormalization", same_as_input },
  { "LpPool", conv_or_pool },
  { "MatMul", matmul },
  { "Max", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_MAX },
  { "MaxPool", conv_or_pool },
  { "Mean", broadcast },
  { "MeanVarianceNormalization", same_as_input },
  { "Min", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_MIN },
  { "Mish", same_as_input },
  { "Mod", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_MOD },
  { "Mul", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_MUL },
  { "Neg", same_as_input, lamina_fold_elementwise, U, LAMINA_ARITH_NEG },
  { "NonZero", non_zero },
  { "Not", same_as_input, lamina_fold_elementwise, BOOL, LAMINA_ARITH_NOT },
  { "Or", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_OR },
  { "PRelu", broadcast },
  { "Pad", pad },
  { "Pow", broadcast },
  { "QuantizeLinear", quantize_linear },
  { "Range", range, lamina_fold_range },
  { "Reciprocal", same_as_input },
  { "ReduceL1", drop_axes },
  { "ReduceL2", drop_axes },
  { "ReduceLogSum", drop_axes },
  { "ReduceLogSumExp", drop_axes },
  { "ReduceMax", drop_axes },
  { "ReduceMean", drop_axes },
  { "ReduceMin", drop_axes },
  { "ReduceProd", drop_axes },
  { "ReduceSum", drop_axes },
  { "ReduceSumSquare", drop_axes },
  { "Relu", same_as_input },
  { "Reshape", reshape, lamina_fold_copy },
  { "Resize", resize },
  { "Round", same_as_input },
  { "ScatterElements", same_as_input },
  { "ScatterND", same_as_input },
  { "Selu", same_as_input },
  { "Shape", shape_op, lamina_fold_shape },
  { "Shrink", same_as_input },
  { "Sigmoid", same_as_input },
  { "Sign", same_as_input },
  { "Sin", same_as_input },
  { "Sinh", same_as_input },
  { "Size", scalar, lamina_fold_size, I64 },
  { "Slice", slice, lamina_fold_slice },
  { "Softmax", same_as_input },
  { "Softplus", same_as_input },
  { "Softsign", same_as_input },
  { "SpaceToDepth", depth_space },
  { "Split", split },
  { "Sqrt", same_as_input, lamina_fold_elementwise, U, LAMINA_ARITH_SQRT },
  { "Squeeze", drop_axes, lamina_fold_copy },
  { "Sub", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_SUB },
  { "Sum", broadcast, lamina_fold_elementwise, U, LAMINA_ARITH_ADD },
  { "Tan", same_as_input },
  { "Tanh", same_as_input },
  { "ThresholdedRelu", same_as_input },
  { "Tile", tile },
  { "TopK", topk },
  { "Transpose", transpose },
  { "Trilu", same_as_input },
  { "Unsqueeze", unsqueeze, lamina_fold_copy },
  { "Upsample", resize },
  { "Where", where, lamina_fold_where },
  { "Xor", broadcast, lamina_fold_elementwise, BOOL, LAMINA_ARITH_XOR },
};

#undef U
#undef BOOL
#undef I64

static int
compare_entry (const void *key, const void *entry)
{
  return strcmp (key, ((const LaminaInferEntry *) entry)->op);
}

gboolean
lamina_shape_infer_table_is_sorted (void)
{
  for (guint i = 1; i < G_N_ELEMENTS (infer_table); i++)
    if (strcmp (infer_table[i - 1].op, infer_table[i].op) >= 0)
      return FALSE;
  return TRUE;
}

void
lamina_graph_infer_shapes (LaminaGraph *graph)
{
  g_autoptr(GPtrArray) order = lamina_graph_toposort (graph, NULL);
  LaminaInfer cx = { 0 };

  if (order == NULL)
    return;  /* a cyclic graph keeps the shapes it stated */
  cx.values = g_hash_table_new_full (NULL, NULL, NULL, lamina_infer_value_free);
  for (guint i = 0; i < order->len; i++)
    {
      LaminaNode *n = g_ptr_array_index (order, i);

      if (n->domain[0] != '\0' && strcmp (n->domain, "ai.onnx") != 0)
        continue;
      cx.entry = bsearch (n->op_type, infer_table, G_N_ELEMENTS (infer_table), sizeof *cx.entry, compare_entry);
      if (cx.entry == NULL)
        continue;
      cx.entry->infer (&cx, n);
      if (cx.entry->fold != NULL)
        cx.entry->fold (&cx, n);
    }
  g_hash_table_unref (cx.values);
}
