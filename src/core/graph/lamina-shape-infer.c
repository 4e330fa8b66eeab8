/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-shape-infer.c: fills in the shapes a file did not store, so edges
 * can be labelled. Only what follows for certain from the inputs is filled
 * in; anything else stays unknown and is drawn as "?". A shape the file
 * states is never overwritten.
 *
 * One sorted table maps operator names to infer functions (bsearch).
 */
#define G_LOG_DOMAIN "lamina-shape"

#include <string.h>
#include "lamina-shape-infer.h"

#define MAX_RANK 16

typedef void (*InferFunc) (LaminaNode *node);

static LaminaTensor *
input (LaminaNode *n, guint i)
{
  return i < n->inputs->len ? g_ptr_array_index (n->inputs, i) : NULL;
}

static LaminaTensor *
output0 (LaminaNode *n)
{
  return n->outputs->len > 0 ? g_ptr_array_index (n->outputs, 0) : NULL;
}

static gboolean
known_rank (const LaminaTensor *t)
{
  return t != NULL && t->shape.rank >= 0 && t->shape.rank <= MAX_RANK;
}

/* Sets out's shape from dims unless the file already stated one. */
static void
set_output (LaminaTensor *out, int rank, const LaminaDim *dims, LaminaDType dtype)
{
  if (out == NULL)
    return;
  if (out->dtype == LAMINA_DTYPE_UNDEFINED)
    out->dtype = dtype;
  if (out->shape.rank >= 0)
    return;
  lamina_shape_set_rank (&out->shape, rank);
  for (int i = 0; i < rank; i++)
    {
      out->shape.dims[i].value = dims[i].value;
      out->shape.dims[i].symbol = g_strdup (dims[i].symbol);
    }
}

static void
same_as_input (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);

  if (known_rank (x))
    set_output (output0 (n), x->shape.rank, x->shape.dims, x->dtype);
}

/* NumPy broadcasting over every input. */
static void
broadcast (LaminaNode *n)
{
  LaminaDim dims[MAX_RANK];
  int rank = 0;
  LaminaDType dtype = LAMINA_DTYPE_UNDEFINED;
  gboolean is_compare = strcmp (n->op_type, "Equal") == 0 || strcmp (n->op_type, "Greater") == 0 ||
                        strcmp (n->op_type, "Less") == 0;

  for (guint i = 0; i < n->inputs->len; i++)
    {
      LaminaTensor *t = input (n, i);
      if (!known_rank (t))
        return;
      rank = MAX (rank, t->shape.rank);
    }
  for (int d = 0; d < rank; d++)
    {
      dims[d].value = 1;
      dims[d].symbol = NULL;
    }
  for (guint i = 0; i < n->inputs->len; i++)
    {
      LaminaTensor *t = input (n, i);
      int off = rank - t->shape.rank;
      if (dtype == LAMINA_DTYPE_UNDEFINED && strcmp (n->op_type, "Where") != 0)
        dtype = t->dtype;
      for (int d = 0; d < t->shape.rank; d++)
        {
          const LaminaDim *src = &t->shape.dims[d];
          LaminaDim *dst = &dims[off + d];
          if (src->value == 1)
            continue;
          if (dst->value == 1 && dst->symbol == NULL)
            *dst = *src;
          else if (src->value != dst->value || g_strcmp0 (src->symbol, dst->symbol) != 0)
            {
              dst->value = -1;  /* unknown or mismatched: leave it open */
              dst->symbol = NULL;
            }
        }
    }
  if (strcmp (n->op_type, "Where") == 0 && known_rank (input (n, 1)))
    dtype = input (n, 1)->dtype;
  set_output (output0 (n), rank, dims, is_compare ? LAMINA_DTYPE_BOOL : dtype);
}

/* Spatial output size of Conv / pooling, or -1 when it cannot be known. */
static gint64
spatial_out (const LaminaNode *n, gint64 in, gint64 k, int i, int n_spatial)
{
  guint len;
  const gint64 *strides = lamina_node_get_ints (n, "strides", &len);
  gint64 s = strides && (int) len == n_spatial ? strides[i] : 1;
  const gint64 *dil = lamina_node_get_ints (n, "dilations", &len);
  gint64 d = dil && (int) len == n_spatial ? dil[i] : 1;
  const gint64 *pads = lamina_node_get_ints (n, "pads", &len);
  gint64 p = pads && (int) len == 2 * n_spatial ? pads[i] + pads[i + n_spatial] : 0;
  const char *auto_pad = lamina_node_get_string (n, "auto_pad", "NOTSET");
  gint64 ek = d * (k - 1) + 1;

  if (in < 0 || k < 0 || s <= 0 || d <= 0)
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

/* Conv, MaxPool, AveragePool: N × C' × spatial. */
static void
conv_or_pool (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *w = input (n, 1);
  gboolean is_conv = strcmp (n->op_type, "Conv") == 0;
  LaminaDim dims[MAX_RANK] = { { 0 } };
  int rank, n_spatial;
  guint klen;
  const gint64 *kernel = lamina_node_get_ints (n, "kernel_shape", &klen);

  if (!known_rank (x) || x->shape.rank < 3 || (is_conv && !known_rank (w)))
    return;
  rank = x->shape.rank;
  n_spatial = rank - 2;
  dims[0] = x->shape.dims[0];
  dims[1] = is_conv ? w->shape.dims[0] : x->shape.dims[1];
  for (int i = 0; i < n_spatial; i++)
    {
      gint64 k = kernel && (int) klen == n_spatial ? kernel[i]
                 : is_conv && w->shape.rank == rank ? w->shape.dims[2 + i].value : -1;
      dims[2 + i].value = spatial_out (n, x->shape.dims[2 + i].value, k, i, n_spatial);
    }
  set_output (output0 (n), rank, dims, x->dtype);
}

static void
global_pool (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];

  if (!known_rank (x) || x->shape.rank < 2)
    return;
  dims[0] = x->shape.dims[0];
  dims[1] = x->shape.dims[1];
  for (int i = 2; i < x->shape.rank; i++)
    dims[i] = (LaminaDim) { 1, NULL };
  set_output (output0 (n), x->shape.rank, dims, x->dtype);
}

static void
concat (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  gint64 axis = lamina_node_get_int (n, "axis", 0);
  gint64 sum = 0;

  if (!known_rank (x))
    return;
  if (axis < 0)
    axis += x->shape.rank;
  if (axis < 0 || axis >= x->shape.rank)
    return;
  memcpy (dims, x->shape.dims, sizeof (LaminaDim) * x->shape.rank);
  for (guint i = 0; i < n->inputs->len; i++)
    {
      LaminaTensor *t = input (n, i);
      if (!known_rank (t) || t->shape.rank != x->shape.rank)
        return;
      gint64 v = t->shape.dims[axis].value;
      sum = (sum < 0 || v < 0) ? -1 : sum + v;
    }
  dims[axis] = (LaminaDim) { sum, NULL };
  set_output (output0 (n), x->shape.rank, dims, x->dtype);
}

static void
transpose (LaminaNode *n)
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
  set_output (output0 (n), rank, dims, x->dtype);
}

/* Reshape with a constant int64 shape input (0 copies, -1 infers). */
static void
reshape (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *s = input (n, 1);
  LaminaDim dims[MAX_RANK];
  gint64 known = 1, in_numel;
  int rank, infer_at = -1;
  gsize size = 0;
  const guint8 *data;

  if (!known_rank (x) || s == NULL || s->data == NULL || s->dtype != LAMINA_DTYPE_INT64)
    return;
  data = g_bytes_get_data (s->data, &size);
  rank = (int) (size / 8);
  if (rank > MAX_RANK || size % 8 != 0)
    return;
  in_numel = lamina_shape_numel (&x->shape);
  for (int i = 0; i < rank; i++)
    {
      gint64 v;
      memcpy (&v, data + 8 * i, 8);
      dims[i].symbol = NULL;
      if (v == 0 && i < x->shape.rank && !lamina_node_get_int (n, "allowzero", 0))
        dims[i] = x->shape.dims[i];
      else if (v == -1 && infer_at < 0)
        {
          infer_at = i;
          dims[i].value = -1;
          continue;
        }
      else if (v < 0)
        return;
      else
        dims[i].value = v;
      known = (known < 0 || dims[i].value < 0) ? -1 : known * dims[i].value;
    }
  if (infer_at >= 0 && known > 0 && in_numel >= 0 && in_numel % known == 0)
    dims[infer_at].value = in_numel / known;
  set_output (output0 (n), rank, dims, x->dtype);
}

static void
flatten (LaminaNode *n)
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
      gint64 v = x->shape.dims[i].value;
      d->value = (d->value < 0 || v < 0) ? -1 : d->value * v;
    }
  set_output (output0 (n), 2, dims, x->dtype);
}

/* Gemm and 2-D MatMul: [M, K] × [K, N] → [M, N] (Gemm honours transA/B). */
static void
matmul (LaminaNode *n)
{
  LaminaTensor *a = input (n, 0), *b = input (n, 1);
  gboolean gemm = strcmp (n->op_type, "Gemm") == 0;
  LaminaDim dims[MAX_RANK];
  int ra, rb, rank;

  if (!known_rank (a) || !known_rank (b) || a->shape.rank < 2 || b->shape.rank < 2)
    return;
  ra = a->shape.rank;
  rb = b->shape.rank;
  rank = MAX (ra, rb);
  if (gemm && (ra != 2 || rb != 2))
    return;
  /* batch dimensions: take the longer operand's (broadcast details left open) */
  for (int i = 0; i < rank - 2; i++)
    dims[i] = ra >= rb ? a->shape.dims[i] : b->shape.dims[i];
  dims[rank - 2] = a->shape.dims[ra - 2 + (gemm && lamina_node_get_int (n, "transA", 0) ? 1 : 0)];
  dims[rank - 1] = b->shape.dims[rb - 1 - (gemm && lamina_node_get_int (n, "transB", 0) ? 1 : 0)];
  set_output (output0 (n), rank, dims, a->dtype);
}

/* out = data.shape[:axis] + indices.shape + data.shape[axis+1:] */
static void
gather (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *idx = input (n, 1);
  LaminaDim dims[MAX_RANK];
  gint64 axis = lamina_node_get_int (n, "axis", 0);
  int rank = 0;

  if (!known_rank (x) || !known_rank (idx))
    return;
  if (axis < 0)
    axis += x->shape.rank;
  if (axis < 0 || axis >= x->shape.rank || x->shape.rank - 1 + idx->shape.rank > MAX_RANK)
    return;
  for (int i = 0; i < axis; i++)
    dims[rank++] = x->shape.dims[i];
  for (int i = 0; i < idx->shape.rank; i++)
    dims[rank++] = idx->shape.dims[i];
  for (int i = (int) axis + 1; i < x->shape.rank; i++)
    dims[rank++] = x->shape.dims[i];
  set_output (output0 (n), rank, dims, x->dtype);
}

static void
shape_op (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim d = { -1, NULL };

  if (known_rank (x) && lamina_node_get_attr (n, "start") == NULL && lamina_node_get_attr (n, "end") == NULL)
    d.value = x->shape.rank;
  set_output (output0 (n), 1, &d, LAMINA_DTYPE_INT64);
}

/* Axes from the attribute (opset < 13) or a constant int64 input. */
static guint
read_axes (LaminaNode *n, gint64 *axes, guint max)
{
  guint len = 0;
  const gint64 *attr = lamina_node_get_ints (n, "axes", &len);
  LaminaTensor *t = input (n, 1);
  gsize size = 0;

  if (attr != NULL)
    {
      if (len > max)
        return 0;
      memcpy (axes, attr, len * sizeof (gint64));
      return len;
    }
  if (t == NULL || t->data == NULL || t->dtype != LAMINA_DTYPE_INT64)
    return 0;
  g_bytes_get_data (t->data, &size);
  if (size % 8 != 0 || size / 8 > max)
    return 0;
  memcpy (axes, g_bytes_get_data (t->data, NULL), size);
  return size / 8;
}

static gboolean
axis_listed (const gint64 *axes, guint n_axes, int axis, int rank)
{
  for (guint i = 0; i < n_axes; i++)
    if (axes[i] == axis || axes[i] + rank == axis)
      return TRUE;
  return FALSE;
}

static void
unsqueeze (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  gint64 axes[MAX_RANK];
  guint n_axes;
  int rank, src = 0;

  if (!known_rank (x) || (n_axes = read_axes (n, axes, MAX_RANK)) == 0)
    return;
  rank = x->shape.rank + (int) n_axes;
  if (rank > MAX_RANK)
    return;
  for (int i = 0; i < rank; i++)
    {
      if (axis_listed (axes, n_axes, i, rank))
        dims[i] = (LaminaDim) { 1, NULL };
      else if (src < x->shape.rank)
        dims[i] = x->shape.dims[src++];
      else
        return;
    }
  set_output (output0 (n), rank, dims, x->dtype);
}

/* Squeeze (listed axes, or every 1) and the Reduce* family (keepdims). */
static void
drop_axes (LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaDim dims[MAX_RANK];
  gint64 axes[MAX_RANK];
  gboolean squeeze = strcmp (n->op_type, "Squeeze") == 0;
  gboolean keep = !squeeze && lamina_node_get_int (n, "keepdims", 1);
  guint n_axes;
  int rank = 0;

  if (!known_rank (x))
    return;
  n_axes = read_axes (n, axes, MAX_RANK);
  for (int i = 0; i < x->shape.rank; i++)
    {
      gboolean listed = n_axes ? axis_listed (axes, n_axes, i, x->shape.rank)
                        : squeeze ? x->shape.dims[i].value == 1 : TRUE;
      if (squeeze && n_axes == 0 && x->shape.dims[i].value < 0)
        return;  /* an unknown dim might be 1: cannot tell */
      if (!listed)
        dims[rank++] = x->shape.dims[i];
      else if (keep)
        dims[rank++] = (LaminaDim) { 1, NULL };
    }
  set_output (output0 (n), rank, dims, x->dtype);
}

static void
cast (LaminaNode *n)
{
  /* ONNX dtype codes of the common targets */
  static const LaminaDType to_dtype[] = {
    [1] = LAMINA_DTYPE_FLOAT32, [2] = LAMINA_DTYPE_UINT8, [3] = LAMINA_DTYPE_INT8,
    [5] = LAMINA_DTYPE_INT16, [6] = LAMINA_DTYPE_INT32, [7] = LAMINA_DTYPE_INT64,
    [9] = LAMINA_DTYPE_BOOL, [10] = LAMINA_DTYPE_FLOAT16, [11] = LAMINA_DTYPE_FLOAT64,
  };
  LaminaTensor *x = input (n, 0);
  gint64 to = lamina_node_get_int (n, "to", 0);

  if (known_rank (x))
    set_output (output0 (n), x->shape.rank, x->shape.dims,
                to > 0 && to < (gint64) G_N_ELEMENTS (to_dtype) ? to_dtype[to] : LAMINA_DTYPE_UNDEFINED);
}

typedef struct {
  const char *op;
  InferFunc   infer;
} InferEntry;

/* Sorted by operator name (strcmp order). */
static const InferEntry infer_table[] = {
  { "Abs", same_as_input },
  { "Add", broadcast },
  { "AveragePool", conv_or_pool },
  { "BatchNormalization", same_as_input },
  { "Cast", cast },
  { "Clip", same_as_input },
  { "Concat", concat },
  { "Conv", conv_or_pool },
  { "Div", broadcast },
  { "Dropout", same_as_input },
  { "Elu", same_as_input },
  { "Equal", broadcast },
  { "Erf", same_as_input },
  { "Exp", same_as_input },
  { "Flatten", flatten },
  { "Gather", gather },
  { "Gelu", same_as_input },
  { "Gemm", matmul },
  { "GlobalAveragePool", global_pool },
  { "GlobalMaxPool", global_pool },
  { "Greater", broadcast },
  { "HardSigmoid", same_as_input },
  { "HardSwish", same_as_input },
  { "Identity", same_as_input },
  { "InstanceNormalization", same_as_input },
  { "LayerNormalization", same_as_input },
  { "LeakyRelu", same_as_input },
  { "Less", broadcast },
  { "Log", same_as_input },
  { "LogSoftmax", same_as_input },
  { "MatMul", matmul },
  { "Max", broadcast },
  { "MaxPool", conv_or_pool },
  { "Min", broadcast },
  { "Mul", broadcast },
  { "Neg", same_as_input },
  { "PRelu", broadcast },
  { "Pow", broadcast },
  { "Reciprocal", same_as_input },
  { "ReduceMax", drop_axes },
  { "ReduceMean", drop_axes },
  { "ReduceMin", drop_axes },
  { "ReduceSum", drop_axes },
  { "Relu", same_as_input },
  { "Reshape", reshape },
  { "Shape", shape_op },
  { "Sigmoid", same_as_input },
  { "Softmax", same_as_input },
  { "Sqrt", same_as_input },
  { "Squeeze", drop_axes },
  { "Sub", broadcast },
  { "Tanh", same_as_input },
  { "Transpose", transpose },
  { "Unsqueeze", unsqueeze },
  { "Where", broadcast },
};

static int
compare_entry (const void *key, const void *entry)
{
  return strcmp (key, ((const InferEntry *) entry)->op);
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

  if (order == NULL)
    return;  /* a cyclic graph keeps the shapes it stated */
  for (guint i = 0; i < order->len; i++)
    {
      LaminaNode *n = g_ptr_array_index (order, i);
      const InferEntry *e;

      if (n->domain[0] != '\0' && strcmp (n->domain, "ai.onnx") != 0)
        continue;
      e = bsearch (n->op_type, infer_table, G_N_ELEMENTS (infer_table), sizeof *e, compare_entry);
      if (e != NULL)
        e->infer (n);
    }
}
