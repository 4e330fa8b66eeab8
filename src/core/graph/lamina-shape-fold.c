/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-shape-fold.c: values of small tensors during shape inference, so
 * that Reshape, Resize, Slice, Expand ... learn their shape arguments when
 * an exporter computed them in the graph (Shape → Gather → Unsqueeze →
 * Concat → Reshape, Cast, arithmetic on shape values, ConstantOfShape,
 * Range).
 *
 * Values are computed only for tensors whose shape is already static and
 * holds at most LAMINA_SHAPE_MAX_VALUES elements, so hostile files cannot
 * make inference allocate much. Data-movement folds (Gather, Concat,
 * Slice, Expand, Reshape ...) are all "output element i comes from input
 * element index[i]"; they keep the symbol of a dynamic dimension, so a
 * Reshape to [batch, 120, -1] still says "batch".
 */
#define G_LOG_DOMAIN "lamina-shape"

#include <math.h>
#include <string.h>
#include "lamina-shape-private.h"
#include "lamina-tensor-stats.h"

#define MAX_RANK LAMINA_SHAPE_MAX_RANK

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

/* ---- values ------------------------------------------------------------- */

static LaminaFoldValue *
value_new (gsize n)
{
  LaminaFoldValue *v = g_new0 (LaminaFoldValue, 1);

  v->n = n;
  v->v = g_new0 (double, MAX (n, 1));
  return v;
}

void
lamina_infer_value_free (gpointer p)
{
  LaminaFoldValue *v = p;

  if (v == NULL)
    return;
  for (gsize i = 0; v->sym != NULL && i < v->n; i++)
    g_free (v->sym[i]);
  g_free (v->sym);
  g_free (v->v);
  g_free (v);
}

static void
value_set_symbol (LaminaFoldValue *v, gsize i, const char *symbol)
{
  if (symbol == NULL)
    return;
  if (v->sym == NULL)
    v->sym = g_new0 (char *, MAX (v->n, 1));
  v->sym[i] = g_strdup (symbol);
}

/* dst[i] = src[j], symbol included. */
static void
value_put (LaminaFoldValue *dst, gsize i, const LaminaFoldValue *src, gsize j)
{
  dst->v[i] = src->v[j];
  value_set_symbol (dst, i, src->sym ? src->sym[j] : NULL);
}

/* Elements of t when its shape is static and small enough to track. */
static gint64
small_numel (const LaminaTensor *t)
{
  gint64 n = t ? lamina_shape_numel (&t->shape) : -1;

  return n <= LAMINA_SHAPE_MAX_VALUES ? n : -1;
}

/* Stores v as out's value; dropped when it does not fit out's shape. */
static void
store (LaminaInfer *cx, LaminaTensor *out, LaminaFoldValue *v)
{
  if (out == NULL || small_numel (out) != (gint64) v->n || g_hash_table_contains (cx->values, out))
    {
      lamina_infer_value_free (v);
      return;
    }
  g_hash_table_insert (cx->values, out, v);
}

const LaminaFoldValue *
lamina_infer_value (LaminaInfer *cx, LaminaTensor *t)
{
  LaminaFoldValue *v;
  gint64 n = small_numel (t);

  if (t == NULL)
    return NULL;
  v = g_hash_table_lookup (cx->values, t);
  if (v != NULL || t->data == NULL || n < 0)
    return v;
  /* a constant: read on first use */
  v = value_new ((gsize) n);
  if (lamina_tensor_read_doubles (t, 0, (gsize) n, v->v) != (gsize) n)
    {
      lamina_infer_value_free (v);
      return NULL;
    }
  g_hash_table_insert (cx->values, t, v);
  return v;
}

gint64
lamina_infer_clamp_i64 (double v)
{
  /* 2^63 itself is not a gint64: stop just below */
  if (v >= 9.2e18)
    return G_MAXINT64;
  if (v <= -9.2e18)
    return G_MININT64;
  return isnan (v) ? 0 : (gint64) v;
}

int
lamina_infer_read_ints (LaminaInfer *cx, LaminaTensor *t, gint64 *out, int max)
{
  const LaminaFoldValue *v = lamina_infer_value (cx, t);

  if (v == NULL || v->n > (gsize) max)
    return -1;
  for (gsize i = 0; i < v->n; i++)
    {
      if (isnan (v->v[i]) || v->v[i] != floor (v->v[i]))
        return -1;
      out[i] = lamina_infer_clamp_i64 (v->v[i]);
    }
  return (int) v->n;
}

int
lamina_infer_read_list (LaminaInfer *cx, LaminaNode *n, const char *attr,
                        guint index, gint64 *out, int max)
{
  guint len = 0;
  const gint64 *ints = lamina_node_get_ints (n, attr, &len);

  if (ints != NULL)
    {
      if (len > (guint) max)
        return -1;
      memcpy (out, ints, len * sizeof (gint64));
      return (int) len;
    }
  if (input (n, index) == NULL)
    return LAMINA_INFER_ABSENT;
  return lamina_infer_read_ints (cx, input (n, index), out, max);
}

void
lamina_infer_shape_range (const LaminaNode *n, int rank, int *start, int *end)
{
  gint64 s = lamina_node_get_int (n, "start", 0), e = lamina_node_get_int (n, "end", rank);

  s = s < 0 ? s + rank : s;
  e = e < 0 ? e + rank : e;
  *start = (int) CLAMP (s, 0, rank);
  *end = (int) CLAMP (e, *start, rank);
}

/* ---- index helpers ------------------------------------------------------ */

/* Coordinates of linear index i in a static shape. */
static void
unravel (gsize i, const LaminaShape *s, gsize *coord)
{
  for (int d = s->rank - 1; d >= 0; d--)
    {
      gsize dim = (gsize) s->dims[d].value;
      coord[d] = dim ? i % dim : 0;
      i = dim ? i / dim : 0;
    }
}

/* Linear index into `in` (NumPy broadcasting, right-aligned) of the element
 * at linear index i of `out`. */
static gsize
broadcast_index (const LaminaShape *out, const LaminaShape *in, gsize i)
{
  gsize coord[MAX_RANK], idx = 0;
  int off = out->rank - in->rank;

  unravel (i, out, coord);
  for (int d = 0; d < in->rank; d++)
    {
      gsize dim = (gsize) in->dims[d].value;
      idx = idx * dim + (dim == 1 ? 0 : coord[off + d]);
    }
  return idx;
}

static gboolean
broadcastable (const LaminaTensor *out, const LaminaTensor *in)
{
  if (in->shape.rank > out->shape.rank || !lamina_shape_is_static (&in->shape))
    return FALSE;
  for (int d = 0; d < in->shape.rank; d++)
    {
      gint64 a = in->shape.dims[d].value, b = out->shape.dims[out->shape.rank - in->shape.rank + d].value;
      if (a != 1 && a != b)
        return FALSE;
    }
  return TRUE;
}

/* ---- data movement ------------------------------------------------------ */

/* out[i] = src[index[i]] */
static void
store_taken (LaminaInfer *cx, LaminaTensor *out, const LaminaFoldValue *src, const gsize *index, gsize n)
{
  LaminaFoldValue *v = value_new (n);

  for (gsize i = 0; i < n; i++)
    value_put (v, i, src, index[i]);
  store (cx, out, v);
}

/* Reshape, Flatten, Squeeze, Unsqueeze, Identity: same elements, same order. */
void
lamina_fold_copy (LaminaInfer *cx, LaminaNode *n)
{
  const LaminaFoldValue *src = lamina_infer_value (cx, input (n, 0));
  g_autofree gsize *index = NULL;

  if (src == NULL || small_numel (output0 (n)) != (gint64) src->n)
    return;
  index = g_new (gsize, MAX (src->n, 1));
  for (gsize i = 0; i < src->n; i++)
    index[i] = i;
  store_taken (cx, output0 (n), src, index, src->n);
}

void
lamina_fold_shape (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  LaminaFoldValue *v;
  int start, end;

  if (x == NULL || x->shape.rank < 0 || x->shape.rank > MAX_RANK)
    return;
  lamina_infer_shape_range (n, x->shape.rank, &start, &end);
  v = value_new ((gsize) (end - start));
  for (int i = start; i < end; i++)
    {
      const LaminaDim *d = &x->shape.dims[i];
      v->v[i - start] = d->value >= 0 ? (double) d->value : NAN;
      value_set_symbol (v, (gsize) (i - start), d->symbol);
    }
  store (cx, output0 (n), v);
}

void
lamina_fold_size (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0);
  gint64 numel = x ? lamina_shape_numel (&x->shape) : -1;
  LaminaFoldValue *v;

  if (numel < 0)
    return;
  v = value_new (1);
  v->v[0] = (double) numel;
  store (cx, output0 (n), v);
}

/* out = data[..., indices, ...] along `axis` */
void
lamina_fold_gather (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *out = output0 (n);
  const LaminaFoldValue *src = lamina_infer_value (cx, x);
  gint64 idx[LAMINA_SHAPE_MAX_VALUES], axis = lamina_node_get_int (n, "axis", 0);
  gint64 count = small_numel (out), axis_len, inner = 1, outer = 1;
  int n_idx = lamina_infer_read_ints (cx, input (n, 1), idx, LAMINA_SHAPE_MAX_VALUES);
  g_autofree gsize *index = NULL;

  if (src == NULL || n_idx <= 0 || count < 0 || x->shape.rank < 1)
    return;
  axis = axis < 0 ? axis + x->shape.rank : axis;
  if (axis < 0 || axis >= x->shape.rank)
    return;
  axis_len = x->shape.dims[axis].value;
  for (int d = 0; d < x->shape.rank; d++)
    if (d < axis)
      outer *= x->shape.dims[d].value;
    else if (d > axis)
      inner *= x->shape.dims[d].value;
  /* the output's shape may be one the file stated: check it fits */
  if (count != outer * n_idx * inner)
    return;
  index = g_new (gsize, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    {
      gint64 k = i % inner, j = (i / inner) % n_idx, o = i / inner / n_idx;
      gint64 at = idx[j] < 0 ? idx[j] + axis_len : idx[j];
      if (at < 0 || at >= axis_len)
        return;
      index[i] = (gsize) ((o * axis_len + at) * inner + k);
    }
  store_taken (cx, out, src, index, (gsize) count);
}

void
lamina_fold_concat (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *out = output0 (n);
  gint64 count = small_numel (out), axis = lamina_node_get_int (n, "axis", 0), inner = 1, outer = 1;
  LaminaFoldValue *v;
  gsize at = 0;

  if (count < 0 || out->shape.rank < 1)
    return;
  axis = axis < 0 ? axis + out->shape.rank : axis;
  if (axis < 0 || axis >= out->shape.rank)
    return;
  for (int d = 0; d < out->shape.rank; d++)
    if (d < axis)
      outer *= out->shape.dims[d].value;
    else if (d > axis)
      inner *= out->shape.dims[d].value;
  for (guint k = 0; k < n->inputs->len; k++)
    if (lamina_infer_value (cx, input (n, k)) == NULL || input (n, k)->shape.rank != out->shape.rank)
      return;
  v = value_new ((gsize) count);
  for (gint64 o = 0; o < outer; o++)
    for (guint k = 0; k < n->inputs->len; k++)
      {
        LaminaTensor *t = input (n, k);
        const LaminaFoldValue *src = lamina_infer_value (cx, t);
        gsize slab = (gsize) (t->shape.dims[axis].value * inner);
        for (gsize j = 0; j < slab && at < v->n && (gsize) o * slab + j < src->n; j++)
          value_put (v, at++, src, (gsize) o * slab + j);
      }
  if (at == v->n)
    store (cx, out, v);
  else
    lamina_infer_value_free (v);
}

void
lamina_fold_slice (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *out = output0 (n);
  const LaminaFoldValue *src = lamina_infer_value (cx, x);
  LaminaSliceAxis axes[MAX_RANK];
  gint64 dims[MAX_RANK], count = small_numel (out);
  LaminaShape shape = { 0 };
  LaminaDim sdims[MAX_RANK];
  g_autofree gsize *index = NULL;

  if (src == NULL || count < 0 || x->shape.rank > MAX_RANK)
    return;
  for (int d = 0; d < x->shape.rank; d++)
    dims[d] = x->shape.dims[d].value;
  if (!lamina_infer_slice_axes (cx, n, x->shape.rank, dims, axes))
    return;
  shape.rank = x->shape.rank;
  shape.dims = sdims;
  for (int d = 0; d < shape.rank; d++)
    sdims[d] = (LaminaDim) { axes[d].len, NULL };
  if (lamina_shape_numel (&shape) != count)
    return;
  index = g_new (gsize, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    {
      gsize coord[MAX_RANK], at = 0;
      unravel ((gsize) i, &shape, coord);
      for (int d = 0; d < shape.rank; d++)
        at = at * (gsize) dims[d] + (gsize) (axes[d].start + (gint64) coord[d] * axes[d].step);
      index[i] = at;
    }
  store_taken (cx, out, src, index, (gsize) count);
}

void
lamina_fold_expand (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *x = input (n, 0), *out = output0 (n);
  const LaminaFoldValue *src = lamina_infer_value (cx, x);
  gint64 count = small_numel (out);
  g_autofree gsize *index = NULL;

  if (src == NULL || count < 0 || !broadcastable (out, x))
    return;
  index = g_new (gsize, MAX (count, 1));
  for (gint64 i = 0; i < count; i++)
    index[i] = broadcast_index (&out->shape, &x->shape, (gsize) i);
  store_taken (cx, out, src, index, (gsize) count);
}

/* ---- arithmetic --------------------------------------------------------- */

typedef double (*ArithFunc) (double a, double b, gboolean integer);

static double ar_add (double a, double b, gboolean integer) { return a + b; }
static double ar_sub (double a, double b, gboolean integer) { return a - b; }
static double ar_mul (double a, double b, gboolean integer) { return a * b; }
static double ar_div (double a, double b, gboolean integer) { return integer ? (b != 0 ? trunc (a / b) : NAN) : a / b; }
/* ONNX Mod with fmod=0: the sign of the divisor, like Python */
static double ar_mod (double a, double b, gboolean integer) { return b != 0 ? a - b * floor (a / b) : NAN; }
static double ar_max (double a, double b, gboolean integer) { return MAX (a, b); }
static double ar_min (double a, double b, gboolean integer) { return MIN (a, b); }
static double ar_equal (double a, double b, gboolean integer) { return a == b; }
static double ar_less (double a, double b, gboolean integer) { return a < b; }
static double ar_less_equal (double a, double b, gboolean integer) { return a <= b; }
static double ar_greater (double a, double b, gboolean integer) { return a > b; }
static double ar_greater_equal (double a, double b, gboolean integer) { return a >= b; }
static double ar_and (double a, double b, gboolean integer) { return a != 0 && b != 0; }
static double ar_or (double a, double b, gboolean integer) { return a != 0 || b != 0; }
static double ar_xor (double a, double b, gboolean integer) { return (a != 0) != (b != 0); }
static double ar_not (double a, double b, gboolean integer) { return a == 0; }
static double ar_neg (double a, double b, gboolean integer) { return -a; }
static double ar_abs (double a, double b, gboolean integer) { return fabs (a); }
static double ar_floor (double a, double b, gboolean integer) { return floor (a); }
static double ar_ceil (double a, double b, gboolean integer) { return ceil (a); }
static double ar_sqrt (double a, double b, gboolean integer) { return sqrt (a); }

static const ArithFunc arith_funcs[LAMINA_N_ARITH] = {
  [LAMINA_ARITH_ADD] = ar_add, [LAMINA_ARITH_SUB] = ar_sub, [LAMINA_ARITH_MUL] = ar_mul,
  [LAMINA_ARITH_DIV] = ar_div, [LAMINA_ARITH_MOD] = ar_mod,
  [LAMINA_ARITH_MAX] = ar_max, [LAMINA_ARITH_MIN] = ar_min,
  [LAMINA_ARITH_EQUAL] = ar_equal, [LAMINA_ARITH_LESS] = ar_less,
  [LAMINA_ARITH_LESS_EQUAL] = ar_less_equal, [LAMINA_ARITH_GREATER] = ar_greater,
  [LAMINA_ARITH_GREATER_EQUAL] = ar_greater_equal,
  [LAMINA_ARITH_AND] = ar_and, [LAMINA_ARITH_OR] = ar_or, [LAMINA_ARITH_XOR] = ar_xor,
  [LAMINA_ARITH_NOT] = ar_not, [LAMINA_ARITH_NEG] = ar_neg, [LAMINA_ARITH_ABS] = ar_abs,
  [LAMINA_ARITH_FLOOR] = ar_floor, [LAMINA_ARITH_CEIL] = ar_ceil, [LAMINA_ARITH_SQRT] = ar_sqrt,
};

/* Element i of input k under broadcasting; NaN when not known. */
static double
operand (LaminaInfer *cx, LaminaTensor *out, LaminaNode *n, guint k, gsize i)
{
  LaminaTensor *t = input (n, k);
  const LaminaFoldValue *v = lamina_infer_value (cx, t);

  return v ? v->v[broadcast_index (&out->shape, &t->shape, i)] : NAN;
}

/* Add, Mul, Equal, Neg, Max (variadic) ...: folds over the inputs left to
 * right; unknown elements stay unknown. */
void
lamina_fold_elementwise (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *out = output0 (n);
  ArithFunc f = (guint) cx->entry->arith < LAMINA_N_ARITH ? arith_funcs[cx->entry->arith] : NULL;
  gint64 count = small_numel (out);
  gboolean integer = out ? lamina_dtype_is_integer (out->dtype) : FALSE;
  LaminaFoldValue *v;

  if (f == NULL || count < 0 || n->inputs->len == 0)
    return;
  for (guint k = 0; k < n->inputs->len; k++)
    if (input (n, k) == NULL || lamina_infer_value (cx, input (n, k)) == NULL || !broadcastable (out, input (n, k)))
      return;
  v = value_new ((gsize) count);
  for (gsize i = 0; i < v->n; i++)
    {
      double acc = operand (cx, out, n, 0, i);
      for (guint k = 1; k < n->inputs->len; k++)
        acc = f (acc, operand (cx, out, n, k, i), integer);
      if (n->inputs->len == 1)
        acc = f (acc, 0, integer);
      v->v[i] = isfinite (acc) ? acc : NAN;  /* NaN in, NaN out; inf is no shape */
    }
  store (cx, out, v);
}

void
lamina_fold_where (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *out = output0 (n);
  gint64 count = small_numel (out);
  LaminaFoldValue *v;

  if (count < 0 || n->inputs->len != 3)
    return;
  for (guint k = 0; k < 3; k++)
    if (input (n, k) == NULL || lamina_infer_value (cx, input (n, k)) == NULL || !broadcastable (out, input (n, k)))
      return;
  v = value_new ((gsize) count);
  for (gsize i = 0; i < v->n; i++)
    {
      double c = operand (cx, out, n, 0, i);
      guint k = c != 0 ? 1 : 2;
      const LaminaFoldValue *src = lamina_infer_value (cx, input (n, k));
      if (isnan (c))
        v->v[i] = NAN;
      else
        value_put (v, i, src, broadcast_index (&out->shape, &input (n, k)->shape, i));
    }
  store (cx, out, v);
}

void
lamina_fold_cast (LaminaInfer *cx, LaminaNode *n)
{
  LaminaTensor *out = output0 (n);
  const LaminaFoldValue *src = lamina_infer_value (cx, input (n, 0));
  LaminaFoldValue *v;

  if (src == NULL || out == NULL)
    return;
  v = value_new (src->n);
  for (gsize i = 0; i < src->n; i++)
    {
      if (out->dtype == LAMINA_DTYPE_BOOL)
        v->v[i] = isnan (src->v[i]) ? NAN : src->v[i] != 0;
      else if (lamina_dtype_is_integer (out->dtype))
        {
          value_put (v, i, src, i);  /* a dimension keeps its symbol */
          v->v[i] = trunc (v->v[i]);
        }
      else
        v->v[i] = src->v[i];
    }
  store (cx, out, v);
}

/* ---- sources ------------------------------------------------------------ */

/* Constant with value_int(s) / value_float(s) (the tensor form is folded
 * by the loader). */
void
lamina_fold_constant (LaminaInfer *cx, LaminaNode *n)
{
  static const char *const names[] = { "value_int", "value_ints", "value_float", "value_floats" };
  LaminaFoldValue *v = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (names) && v == NULL; k++)
    {
      const LaminaAttr *a = lamina_node_get_attr (n, names[k]);
      /* a file may declare INTS but fill another field: check the pointer */
      if (a == NULL || !(a->type == LAMINA_ATTR_INT || a->type == LAMINA_ATTR_FLOAT ||
                         (a->type == LAMINA_ATTR_INTS && a->ints != NULL) ||
                         (a->type == LAMINA_ATTR_FLOATS && a->floats != NULL)))
        continue;
      v = value_new (a->type == LAMINA_ATTR_INT || a->type == LAMINA_ATTR_FLOAT ? 1 : a->n);
      for (gsize i = 0; i < v->n; i++)
        v->v[i] = a->type == LAMINA_ATTR_INT ? (double) a->i : a->type == LAMINA_ATTR_FLOAT ? a->f
                  : a->type == LAMINA_ATTR_INTS ? (double) a->ints[i] : a->floats[i];
    }
  if (v != NULL)
    store (cx, output0 (n), v);
}

void
lamina_fold_constant_of_shape (LaminaInfer *cx, LaminaNode *n)
{
  const LaminaAttr *a = lamina_node_get_attr (n, "value");
  gint64 count = small_numel (output0 (n));
  double fill = 0;
  LaminaFoldValue *v;

  if (count < 0)
    return;
  if (a != NULL && a->type == LAMINA_ATTR_TENSOR && a->t != NULL &&
      lamina_tensor_read_doubles (a->t, 0, 1, &fill) != 1)
    return;
  v = value_new ((gsize) count);
  for (gsize i = 0; i < v->n; i++)
    v->v[i] = fill;
  store (cx, output0 (n), v);
}

void
lamina_fold_range (LaminaInfer *cx, LaminaNode *n)
{
  const LaminaFoldValue *start = lamina_infer_value (cx, input (n, 0));
  const LaminaFoldValue *delta = lamina_infer_value (cx, input (n, 2));
  gint64 count = small_numel (output0 (n));
  LaminaFoldValue *v;

  if (start == NULL || delta == NULL || start->n != 1 || delta->n != 1 || count < 0)
    return;
  v = value_new ((gsize) count);
  for (gsize i = 0; i < v->n; i++)
    v->v[i] = start->v[0] + (double) i * delta->v[0];
  store (cx, output0 (n), v);
}

/* ---- Slice parameters --------------------------------------------------- */

/* ONNX's clamping of one sliced axis of known size dim. */
static void
clamp_slice (LaminaSliceAxis *a, gint64 start, gint64 end, gint64 dim)
{
  start = start < 0 ? MAX (start, -dim) + dim : start;
  end = end < 0 ? MAX (end, -dim - 1) + dim : end;
  if (a->step > 0)
    {
      start = MIN (start, dim);
      end = MIN (end, dim);
      a->len = end > start ? 1 + (end - start - 1) / a->step : 0;  /* cannot overflow */
    }
  else
    {
      start = MIN (start, dim - 1);
      end = MIN (end, dim - 1);
      a->len = start > end ? 1 + (start - end - 1) / -a->step : 0;
    }
  a->start = start;
}

gboolean
lamina_infer_slice_axes (LaminaInfer *cx, LaminaNode *n, int rank, const gint64 *dims,
                         LaminaSliceAxis *axes)
{
  gint64 starts[MAX_RANK], ends[MAX_RANK], which[MAX_RANK], steps[MAX_RANK];
  int ns = lamina_infer_read_list (cx, n, "starts", 1, starts, MAX_RANK);
  int ne = lamina_infer_read_list (cx, n, "ends", 2, ends, MAX_RANK);
  int na = lamina_infer_read_list (cx, n, "axes", 3, which, MAX_RANK);
  int nst = lamina_infer_read_list (cx, n, "steps", 4, steps, MAX_RANK);

  if (ns < 0 || ne != ns || (na != LAMINA_INFER_ABSENT && na != ns) ||
      (nst != LAMINA_INFER_ABSENT && nst != ns))
    return FALSE;
  for (int d = 0; d < rank; d++)
    axes[d] = (LaminaSliceAxis) { 0, 1, dims[d], TRUE };
  for (int k = 0; k < ns; k++)
    {
      gint64 a = na == LAMINA_INFER_ABSENT ? k : which[k];
      LaminaSliceAxis *s;
      a = a < 0 ? a + rank : a;
      if (a < 0 || a >= rank)
        return FALSE;
      s = &axes[a];
      s->step = nst == LAMINA_INFER_ABSENT ? 1 : steps[k];
      if (s->step == 0 || s->step == G_MININT64)
        return FALSE;
      /* [0:INT64_MAX] is how exporters write "everything" */
      s->whole = s->step == 1 && starts[k] == 0 && ends[k] >= G_MAXINT64 / 2;
      if (dims[a] >= 0)
        clamp_slice (s, starts[k], ends[k], dims[a]);
      else
        s->len = -1;
    }
  return TRUE;
}
