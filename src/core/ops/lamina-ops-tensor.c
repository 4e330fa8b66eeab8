/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-tensor.c: kernels of the tensor family (see lamina-kernel.h):
 * shape manipulation and data movement for ONNX and TFLite.
 *
 * Kernels here only validate and compute shapes; the copying is done by the
 * few routines of lamina-tensor-copy.c (permute, per-axis gather, blocks)
 * and lamina-resize.c, which every operator maps onto:
 *   Reshape, Flatten, Squeeze, Unsqueeze, ExpandDims   → one memcpy
 *   Transpose, DepthToSpace, SpaceToDepth              → permute
 *   Slice, StridedSlice, Pad*, MirrorPad, Tile, Expand → gather
 *   Concat(enation), Pack, Split(V), Unpack            → blocks
 * All of them move bytes, so they work on every dtype of a fixed size.
 * ONNX opset migrations (axes, split, pads, starts … from attributes to
 * inputs) are handled where each operator reads them.
 *
 * TFLite builtins with an ONNX namesake (Reshape, Slice, Pad, Squeeze,
 * Transpose, Split, Gather, Tile, Shape, DepthToSpace, SpaceToDepth) share
 * the kernel and tell the conventions apart with lamina_kernel_is_tflite.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-kernel.h"
#include "lamina-kernel-check.h"
#include "lamina-resize.h"
#include "lamina-tensor-copy.h"

#define IN(i) ((guint) (i) < call->n_inputs ? call->inputs[i] : NULL)
#define OUT(i) ((guint) (i) < call->n_outputs ? call->outputs[i] : NULL)
/* a list read from a tensor input is at most this long (pads, starts …) */
#define MAX_LIST (2 * LAMINA_MAX_RANK)

/* ---- shared helpers ------------------------------------------------------- */

static gsize
esize (const LaminaValue *v)
{
  return lamina_dtype_size (v->dtype);
}

static gboolean
need_input (const LaminaKernelCall *call, guint i, GError **error)
{
  const LaminaValue *v = IN (i);

  if (v == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("input %u is missing"), i);
  if (esize (v) == 0 || v->dtype == LAMINA_DTYPE_INT4 || v->dtype == LAMINA_DTYPE_UINT4)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (v->dtype));
  return TRUE;
}

/* axis in [-rank - extra, rank + extra) → [0, rank + extra) */
static gboolean
normalize_axis (const LaminaKernelCall *call, gint64 axis, int rank, int extra, int *out, GError **error)
{
  gint64 a = axis < 0 ? axis + rank + extra : axis;

  if (a < 0 || a >= rank + extra)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("axis %lld is invalid for rank %d"), (long long) axis, rank);
  *out = (int) a;
  return TRUE;
}

/* Reads a short integer tensor (a shape, pads, starts …). */
static gboolean
read_list (const LaminaKernelCall *call, const LaminaValue *v, gint64 *out, int *n, GError **error)
{
  if (!lamina_dtype_is_integer (v->dtype) || v->rank > 2 || v->numel > MAX_LIST)
    {
      g_autofree char *what = lamina_value_describe (v);
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("expected a short list of integers, got %s"), what);
    }
  for (gint64 i = 0; i < v->numel; i++)
    out[i] = lamina_value_get_int (v, i);
  *n = (int) v->numel;
  return TRUE;
}

/* A list from input `input` at opset >= since, else from attribute attr.
 * *given is FALSE when neither is present. */
static gboolean
read_list_input_or_attr (const LaminaKernelCall *call, guint input, gint64 since, const char *attr,
                         gint64 *out, int *n, gboolean *given, GError **error)
{
  *n = 0;
  *given = FALSE;
  if (call->opset >= since)
    {
      const LaminaValue *v = IN (input);

      if (v == NULL)
        return TRUE;
      *given = TRUE;
      return read_list (call, v, out, n, error);
    }
  {
    guint len = 0;
    const gint64 *list = lamina_node_get_ints (call->node, attr, &len);

    if (list == NULL)
      return TRUE;
    if (len > MAX_LIST)
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("attribute %s has %u values"), attr, len);
    memcpy (out, list, len * sizeof list[0]);
    *n = (int) len;
    *given = TRUE;
    return TRUE;
  }
}

static gboolean
set_output (const LaminaKernelCall *call, guint i, LaminaDType dtype, int rank, const gint64 *dims,
            GError **error)
{
  LaminaValue *v = OUT (i);

  if (v == NULL)
    return TRUE;
  if (!lamina_value_set_shape (v, dtype, rank, dims, error))
    {
      g_prefix_error (error, "%s “%s”: ", call->node->op_type, call->node->name);
      return FALSE;
    }
  return TRUE;
}

static gint64
product (const gint64 *dims, int from, int to)
{
  gint64 n = 1;

  for (int i = from; i < to; i++)
    n *= dims[i];
  return n;
}

static gint64
index_at (const LaminaValue *v, gint64 i)
{
  if (v->dtype == LAMINA_DTYPE_INT64)
    {
      gint64 x;
      memcpy (&x, (const guint8 *) v->data + i * 8, 8);
      return x;
    }
  if (v->dtype == LAMINA_DTYPE_INT32)
    {
      gint32 x;
      memcpy (&x, (const guint8 *) v->data + i * 4, 4);
      return x;
    }
  return lamina_value_get_int (v, i);
}

static gboolean
check_index (const LaminaKernelCall *call, gint64 *idx, gint64 dim, GError **error)
{
  if (*idx < -dim || *idx >= dim)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("index %lld is out of range for a dimension of %lld"),
                               (long long) *idx, (long long) dim);
  if (*idx < 0)
    *idx += dim;
  return TRUE;
}

/* Run of every operator whose output holds the input's bytes unchanged. */
static gboolean
run_copy (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  LaminaValue *y = OUT (0);

  (void) error;
  if (y != NULL && x->numel > 0 && y->data != x->data)
    memcpy (y->data, x->data, (gsize) x->numel * esize (x));
  return TRUE;
}

/* ---- Reshape, Flatten, Squeeze, Unsqueeze, ExpandDims ------------------------- */

/* req: the requested shape; 0 copies the input dim unless allowzero, one
 * -1 is inferred. */
static gboolean
resolve_shape (const LaminaKernelCall *call, const LaminaValue *x, const gint64 *req, int n,
               gboolean allowzero, gint64 *dims, GError **error)
{
  int infer = -1;
  gint64 known = 1;

  if (n > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank %d is too large"), n);
  for (int i = 0; i < n; i++)
    {
      gint64 d = req[i];

      if (d == 0 && !allowzero)
        {
          if (i >= x->rank)
            return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                       _("shape copies dimension %d of a rank-%d input"), i, x->rank);
          d = x->dims[i];
        }
      if (d == -1 && infer < 0)
        {
          infer = i;
          continue;
        }
      if (d < 0 || (d > 0 && known > G_MAXINT64 / d))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("shape value %lld is invalid"), (long long) req[i]);
      dims[i] = d;
      known *= d;
    }
  if (infer >= 0)
    {
      if (known == 0 || x->numel % known != 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("cannot infer -1 for %lld elements"), (long long) x->numel);
      dims[infer] = x->numel / known;
      known *= dims[infer];
    }
  if (known != x->numel)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("cannot reshape %lld elements to %lld"),
                               (long long) x->numel, (long long) known);
  return TRUE;
}

static gboolean
reshape_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  gint64 req[MAX_LIST], dims[LAMINA_MAX_RANK];
  int n = 0;
  gboolean given, tflite = lamina_kernel_is_tflite (call);

  if (!need_input (call, 0, error))
    return FALSE;
  /* ONNX: attribute before opset 5; TFLite: the shape input wins over the
   * new_shape option when it is there */
  if (tflite && IN (1) != NULL)
    {
      if (!read_list (call, IN (1), req, &n, error))
        return FALSE;
      given = TRUE;
    }
  else if (!read_list_input_or_attr (call, 1, tflite ? G_MAXINT64 : 5, tflite ? "new_shape" : "shape",
                                     req, &n, &given, error))
    return FALSE;
  if (!given)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("the shape is missing"));
  /* TFLite has no "0 = copy"; ONNX has it unless allowzero (opset 14) */
  if (!resolve_shape (call, x, req, n, tflite || lamina_node_get_int (call->node, "allowzero", 0) != 0,
                      dims, error))
    return FALSE;
  return set_output (call, 0, x->dtype, n, dims, error);
}

static gboolean
reshape_flatten (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  gint64 dims[2], a;
  int axis;

  if (!need_input (call, 0, error))
    return FALSE;
  /* axis in [-rank, rank]: unlike an insertion point, -1 means rank - 1 */
  a = lamina_node_get_int (call->node, "axis", 1);
  if (a < -x->rank || a > x->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("axis %lld is invalid for rank %d"), (long long) a, x->rank);
  axis = (int) (a < 0 ? a + x->rank : a);
  dims[0] = product (x->dims, 0, axis);
  dims[1] = product (x->dims, axis, x->rank);
  return set_output (call, 0, x->dtype, 2, dims, error);
}

static gboolean
reshape_squeeze (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  gint64 axes[MAX_LIST], dims[LAMINA_MAX_RANK];
  gboolean drop[LAMINA_MAX_RANK] = { FALSE }, given;
  int n_axes, n = 0;

  if (!need_input (call, 0, error) ||
      !read_list_input_or_attr (call, 1, lamina_kernel_is_tflite (call) ? G_MAXINT64 : 13,
                                lamina_kernel_is_tflite (call) ? "squeeze_dims" : "axes", axes, &n_axes, &given, error))
    return FALSE;
  for (int i = 0; i < n_axes; i++)
    {
      int a;

      if (!normalize_axis (call, axes[i], x->rank, 0, &a, error))
        return FALSE;
      if (x->dims[a] != 1)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("cannot squeeze axis %d of size %lld"), a, (long long) x->dims[a]);
      drop[a] = TRUE;
    }
  for (int i = 0; i < x->rank; i++)
    if (!(n_axes == 0 ? x->dims[i] == 1 : drop[i]))
      dims[n++] = x->dims[i];
  return set_output (call, 0, x->dtype, n, dims, error);
}

/* Inserts size-1 dims at the given axes of the output. */
static gboolean
insert_axes (LaminaKernelCall *call, const LaminaValue *x, const gint64 *axes, int n_axes, GError **error)
{
  gboolean add[LAMINA_MAX_RANK] = { FALSE };
  gint64 dims[LAMINA_MAX_RANK];
  int rank = x->rank + n_axes, k = 0;

  if (rank > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank %d is too large"), rank);
  for (int i = 0; i < n_axes; i++)
    {
      int a = 0;

      if (!normalize_axis (call, axes[i], rank, 0, &a, error))
        return FALSE;
      if (add[a])
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axis %lld is repeated"), (long long) axes[i]);
      add[a] = TRUE;
    }
  for (int i = 0; i < rank; i++)
    dims[i] = add[i] ? 1 : x->dims[k++];
  return set_output (call, 0, x->dtype, rank, dims, error);
}

static gboolean
reshape_unsqueeze (LaminaKernelCall *call, GError **error)
{
  gint64 axes[MAX_LIST];
  int n_axes;
  gboolean given;

  if (!need_input (call, 0, error) ||
      !read_list_input_or_attr (call, 1, 13, "axes", axes, &n_axes, &given, error))
    return FALSE;
  if (!given)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("axes are missing"));
  return insert_axes (call, IN (0), axes, n_axes, error);
}

static gboolean
reshape_expand_dims (LaminaKernelCall *call, GError **error)
{
  gint64 axis;

  if (!need_input (call, 0, error) || !need_input (call, 1, error))
    return FALSE;
  if (IN (1)->numel != 1 || !lamina_dtype_is_integer (IN (1)->dtype))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("axis must be one integer"));
  axis = lamina_value_get_int (IN (1), 0);
  return insert_axes (call, IN (0), &axis, 1, error);
}

/* ---- Transpose, DepthToSpace, SpaceToDepth ----------------------------------- */

static gboolean
read_perm (LaminaKernelCall *call, int rank, int *perm, GError **error)
{
  gint64 list[MAX_LIST];
  int n = 0;
  gboolean given, seen[LAMINA_MAX_RANK] = { FALSE };

  /* ONNX: attribute (default: reverse); TFLite: input 1 */
  if (!read_list_input_or_attr (call, 1, lamina_kernel_is_tflite (call) ? G_MININT64 : G_MAXINT64, "perm", list, &n, &given, error))
    return FALSE;
  if (!given)
    {
      for (int i = 0; i < rank; i++)
        perm[i] = rank - 1 - i;
      return TRUE;
    }
  if (n != rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("perm has %d values for rank %d"), n, rank);
  for (int i = 0; i < n; i++)
    {
      int a;

      if (!normalize_axis (call, list[i], rank, 0, &a, error))
        return FALSE;
      if (seen[a])
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axis %lld is repeated"), (long long) list[i]);
      seen[a] = TRUE;
      perm[i] = a;
    }
  return TRUE;
}

static gboolean
reshape_transpose (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  int perm[LAMINA_MAX_RANK];
  gint64 dims[LAMINA_MAX_RANK];

  if (!need_input (call, 0, error) || !read_perm (call, x->rank, perm, error))
    return FALSE;
  for (int i = 0; i < x->rank; i++)
    dims[i] = x->dims[perm[i]];
  return set_output (call, 0, x->dtype, x->rank, dims, error);
}

static gboolean
run_transpose (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  int perm[LAMINA_MAX_RANK];

  if (OUT (0) == NULL || !read_perm (call, x->rank, perm, error))
    return OUT (0) == NULL;
  lamina_copy_permute (OUT (0)->data, x->data, x->rank, x->dims, perm, esize (x), call->parallel);
  return TRUE;
}

/* DepthToSpace and SpaceToDepth are a transpose of a 6-D view of the
 * input. ONNX is NCHW (DCR or CRD order), TFLite NHWC (DCR order). */
typedef struct {
  gint64 view[6];
  int    perm[6];
  gint64 out[4];
} BlockLayout;

static gboolean
block_layout (LaminaKernelCall *call, BlockLayout *l, GError **error)
{
  const LaminaValue *x = IN (0);
  gboolean tflite = lamina_kernel_is_tflite (call);
  gboolean to_space = strcmp (call->node->op_type, "DepthToSpace") == 0;
  gint64 bs = lamina_node_get_int (call->node, tflite ? "block_size" : "blocksize", 0);
  gint64 n, c, h, w;
  const char *mode = lamina_node_get_string (call->node, "mode", "DCR");

  if (!need_input (call, 0, error))
    return FALSE;
  if (x->rank != 4 || bs <= 0 || bs > 1 << 20)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("needs a 4-D input and a positive block size"));
  n = x->dims[0];
  c = tflite ? x->dims[3] : x->dims[1];
  h = tflite ? x->dims[1] : x->dims[2];
  w = tflite ? x->dims[2] : x->dims[3];
  if (to_space ? c % (bs * bs) != 0 : (h % bs != 0 || w % bs != 0))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("dimensions are not divisible by the block size %lld"), (long long) bs);
  if (to_space && !tflite && strcmp (mode, "DCR") != 0 && strcmp (mode, "CRD") != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute %s = “%s” is not supported"), "mode", mode);
  {
    gint64 cs = c / (bs * bs), hs = h / bs, ws = w / bs;
    /* view dims and permutation per case */
    if (to_space && tflite)
      *l = (BlockLayout) { { n, h, w, bs, bs, cs }, { 0, 1, 3, 2, 4, 5 }, { n, h * bs, w * bs, cs } };
    else if (to_space && strcmp (mode, "CRD") == 0)
      *l = (BlockLayout) { { n, cs, bs, bs, h, w }, { 0, 1, 4, 2, 5, 3 }, { n, cs, h * bs, w * bs } };
    else if (to_space)
      *l = (BlockLayout) { { n, bs, bs, cs, h, w }, { 0, 3, 4, 1, 5, 2 }, { n, cs, h * bs, w * bs } };
    else if (tflite)
      *l = (BlockLayout) { { n, hs, bs, ws, bs, c }, { 0, 1, 3, 2, 4, 5 }, { n, hs, ws, c * bs * bs } };
    else
      *l = (BlockLayout) { { n, c, hs, bs, ws, bs }, { 0, 3, 5, 1, 2, 4 }, { n, c * bs * bs, hs, ws } };
  }
  return TRUE;
}

static gboolean
reshape_block (LaminaKernelCall *call, GError **error)
{
  BlockLayout l;

  return block_layout (call, &l, error) && set_output (call, 0, IN (0)->dtype, 4, l.out, error);
}

static gboolean
run_block (LaminaKernelCall *call, GError **error)
{
  BlockLayout l;

  if (!block_layout (call, &l, error))
    return FALSE;
  if (OUT (0) != NULL)
    lamina_copy_permute (OUT (0)->data, IN (0)->data, 6, l.view, l.perm, esize (IN (0)), call->parallel);
  return TRUE;
}

/* ---- Concat, Concatenation, Pack, Split, SplitV, Unpack ------------------------ */

static gboolean
concat_layout (LaminaKernelCall *call, gboolean pack, int *axis, gint64 *dims, int *rank, GError **error)
{
  const LaminaValue *first = IN (0);
  gint64 total = 0;

  if (call->n_inputs == 0 || !need_input (call, 0, error))
    return FALSE;
  *rank = first->rank + (pack ? 1 : 0);
  if (*rank > LAMINA_MAX_RANK || (*rank == 0 && !pack))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank %d is not supported"), *rank);
  if (!lamina_node_get_attr (call->node, "axis") && !pack)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("attribute axis is missing"));
  if (!normalize_axis (call, lamina_node_get_int (call->node, "axis", 0), first->rank, pack ? 1 : 0, axis, error))
    return FALSE;
  for (guint i = 0; i < call->n_inputs; i++)
    {
      const LaminaValue *v = IN (i);

      if (!need_input (call, i, error))
        return FALSE;
      if (v->dtype != first->dtype || v->rank != first->rank)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("input %u does not match input 0 in dtype or rank"), i);
      for (int d = 0; d < first->rank; d++)
        if ((pack || d != *axis) && v->dims[d] != first->dims[d])
          return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                     _("input %u has dimension %d of %lld, expected %lld"),
                                     i, d, (long long) v->dims[d], (long long) first->dims[d]);
      total += pack ? 1 : v->dims[*axis];
    }
  /* the input dims with the axis replaced (Concat) or inserted (Pack) */
  for (int d = 0, k = 0; d < *rank; d++)
    if (d != *axis)
      dims[d] = first->dims[k++];
    else
      dims[d] = total, k += pack ? 0 : 1;
  return TRUE;
}

/* TFLite's fused activations that clamp (the only ones on Concatenation). */
static gboolean
fused_activation (LaminaKernelCall *call, LaminaValue *y, GError **error)
{
  const char *act = lamina_node_get_string (call->node, "fused_activation_function", "NONE");
  float lo, hi;
  float *p;

  if (strcmp (act, "NONE") == 0 || y == NULL)
    return TRUE;
  if (strcmp (act, "RELU") == 0)
    lo = 0, hi = INFINITY;
  else if (strcmp (act, "RELU6") == 0)
    lo = 0, hi = 6;
  else if (strcmp (act, "RELU_N1_TO_1") == 0)
    lo = -1, hi = 1;
  else
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute %s = “%s” is not supported"), "fused_activation_function", act);
  if (y->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (y->dtype));
  p = LAMINA_VALUE_F32 (y);
  for (gint64 i = 0; i < y->numel; i++)
    p[i] = p[i] < lo ? lo : p[i] > hi ? hi : p[i];
  return TRUE;
}

static gboolean
reshape_concat (LaminaKernelCall *call, GError **error)
{
  gint64 dims[LAMINA_MAX_RANK];
  int axis, rank;
  gboolean pack = strcmp (call->node->op_type, "Pack") == 0;

  if (!concat_layout (call, pack, &axis, dims, &rank, error))
    return FALSE;
  if (strcmp (call->node->op_type, "Concatenation") == 0 && IN (0)->dtype != LAMINA_DTYPE_FLOAT32 &&
      strcmp (lamina_node_get_string (call->node, "fused_activation_function", "NONE"), "NONE") != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (IN (0)->dtype));
  return set_output (call, 0, IN (0)->dtype, rank, dims, error);
}

static gboolean
run_concat (LaminaKernelCall *call, GError **error)
{
  LaminaValue *y = OUT (0);
  gboolean pack = strcmp (call->node->op_type, "Pack") == 0;
  gint64 dims[LAMINA_MAX_RANK], outer;
  int axis, rank;
  gsize unit, row, offset = 0;

  if (y == NULL)
    return TRUE;
  if (!concat_layout (call, pack, &axis, dims, &rank, error))
    return FALSE;
  /* every input adds a block of (its axis length × unit) bytes to each
   * of the `outer` rows of the output */
  outer = product (dims, 0, axis);
  unit = (gsize) product (dims, axis + 1, rank) * esize (y);
  row = (gsize) dims[axis] * unit;
  for (guint i = 0; i < call->n_inputs; i++)
    {
      gsize block = (gsize) (pack ? 1 : IN (i)->dims[axis]) * unit;

      lamina_copy_blocks ((guint8 *) y->data + offset, row, IN (i)->data, block, outer, block, call->parallel);
      offset += block;
    }
  return fused_activation (call, y, error);
}

typedef struct {
  const LaminaValue *x;
  int    axis;
  gint64 lens[256];
  guint  n;
  gboolean drop_axis;   /* Unpack */
} SplitLayout;

/* Splits `dim` into n chunks: equal, or ceil-sized with a smaller last one
 * when `uneven` (ONNX opset 18 num_outputs). */
static gboolean
split_equal (const LaminaKernelCall *call, SplitLayout *l, gboolean uneven, GError **error)
{
  gint64 dim = l->x->dims[l->axis], chunk;

  if (l->n == 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("no outputs to split into"));
  chunk = uneven ? (dim + l->n - 1) / l->n : dim / l->n;
  if (!uneven && dim % l->n != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("cannot split %lld into %u equal parts"), (long long) dim, l->n);
  for (guint i = 0; i < l->n; i++)
    l->lens[i] = CLAMP (dim - chunk * (gint64) i, 0, chunk);
  return TRUE;
}

static gboolean
split_sizes (const LaminaKernelCall *call, SplitLayout *l, const gint64 *sizes, int n, GError **error)
{
  gint64 dim = l->x->dims[l->axis], sum = 0;
  int infer = -1;

  if ((guint) n != l->n)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("split has %d values for %u outputs"), n, l->n);
  for (int i = 0; i < n; i++)
    {
      /* TFLite SplitV infers one -1 */
      if (sizes[i] == -1 && infer < 0)
        infer = i;
      else if (sizes[i] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("split size %lld is negative"), (long long) sizes[i]);
      else
        sum += sizes[i];
      l->lens[i] = sizes[i];
    }
  if (infer >= 0 && sum <= dim)
    l->lens[infer] = dim - sum, sum = dim;
  if (sum != dim)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("split sizes add up to %lld, not %lld"), (long long) sum, (long long) dim);
  return TRUE;
}

static gboolean
split_layout (LaminaKernelCall *call, SplitLayout *l, GError **error)
{
  const char *op = call->node->op_type;
  gint64 sizes[256];
  int n = 0;
  gboolean given = FALSE;

  memset (l, 0, sizeof *l);
  l->n = call->n_outputs;
  if (l->n > G_N_ELEMENTS (l->lens))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED, _("too many outputs"));
  if (strcmp (op, "Split") == 0 && lamina_kernel_is_tflite (call))
    {
      /* TFLite Split: (axis, input) */
      if (!need_input (call, 0, error) || !need_input (call, 1, error))
        return FALSE;
      l->x = IN (1);
      if (IN (0)->numel != 1)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("axis must be one integer"));
      return normalize_axis (call, lamina_value_get_int (IN (0), 0), l->x->rank, 0, &l->axis, error) &&
             split_equal (call, l, FALSE, error);
    }
  if (!need_input (call, 0, error))
    return FALSE;
  l->x = IN (0);
  if (strcmp (op, "SplitV") == 0)
    {
      /* TFLite SplitV: (input, size_splits, axis) */
      if (!need_input (call, 1, error) || !need_input (call, 2, error) || IN (2)->numel != 1 ||
          IN (1)->numel > (gint64) G_N_ELEMENTS (sizes))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid SplitV inputs"));
      for (gint64 i = 0; i < IN (1)->numel; i++)
        sizes[i] = lamina_value_get_int (IN (1), i);
      return normalize_axis (call, lamina_value_get_int (IN (2), 0), l->x->rank, 0, &l->axis, error) &&
             split_sizes (call, l, sizes, (int) IN (1)->numel, error);
    }
  if (strcmp (op, "Unpack") == 0)
    {
      l->drop_axis = TRUE;
      if (!normalize_axis (call, lamina_node_get_int (call->node, "axis", 0), l->x->rank, 0, &l->axis, error))
        return FALSE;
      if (l->x->dims[l->axis] != (gint64) l->n)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("cannot split %lld into %u equal parts"), (long long) l->x->dims[l->axis], l->n);
      return split_equal (call, l, FALSE, error);
    }
  /* ONNX Split: split attribute before opset 13, input after */
  if (!normalize_axis (call, lamina_node_get_int (call->node, "axis", 0), l->x->rank, 0, &l->axis, error))
    return FALSE;
  if (call->opset >= 13 && IN (1) != NULL)
    {
      if (IN (1)->numel > (gint64) G_N_ELEMENTS (sizes) || !lamina_dtype_is_integer (IN (1)->dtype))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid split input"));
      for (gint64 i = 0; i < IN (1)->numel; i++)
        sizes[i] = lamina_value_get_int (IN (1), i);
      n = (int) IN (1)->numel;
      given = TRUE;
    }
  else if (call->opset < 13)
    {
      guint len = 0;
      const gint64 *list = lamina_node_get_ints (call->node, "split", &len);

      if (list != NULL && len <= G_N_ELEMENTS (sizes))
        memcpy (sizes, list, len * sizeof (gint64)), n = (int) len, given = TRUE;
    }
  if (given)
    return split_sizes (call, l, sizes, n, error);
  if (lamina_node_get_attr (call->node, "num_outputs") != NULL &&
      lamina_node_get_int (call->node, "num_outputs", 0) != (gint64) l->n)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("num_outputs does not match the %u outputs"), l->n);
  return split_equal (call, l, call->opset >= 18, error);
}

static gboolean
reshape_split (LaminaKernelCall *call, GError **error)
{
  SplitLayout l;

  if (!split_layout (call, &l, error))
    return FALSE;
  for (guint i = 0; i < l.n; i++)
    {
      gint64 dims[LAMINA_MAX_RANK];
      int rank = 0;

      for (int d = 0; d < l.x->rank; d++)
        if (d != l.axis)
          dims[rank++] = l.x->dims[d];
        else if (!l.drop_axis)
          dims[rank++] = l.lens[i];
      if (!set_output (call, i, l.x->dtype, rank, dims, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
run_split (LaminaKernelCall *call, GError **error)
{
  SplitLayout l;
  gint64 outer;
  gsize unit, row, offset = 0;

  if (!split_layout (call, &l, error))
    return FALSE;
  outer = product (l.x->dims, 0, l.axis);
  unit = (gsize) product (l.x->dims, l.axis + 1, l.x->rank) * esize (l.x);
  row = (gsize) l.x->dims[l.axis] * unit;
  for (guint i = 0; i < l.n; i++)
    {
      gsize block = (gsize) l.lens[i] * unit;

      if (OUT (i) != NULL)
        lamina_copy_blocks (OUT (i)->data, block, (const guint8 *) l.x->data + offset, row, outer, block,
                            call->parallel);
      offset += block;
    }
  return TRUE;
}

/* ---- gather-based: Slice, StridedSlice, Pad, Tile, Expand ---------------------- */

/* Per-axis index tables of one gather; NULL table = identity. */
typedef struct {
  int      rank;
  gint64   in[LAMINA_MAX_RANK];
  gint64   out[LAMINA_MAX_RANK];
  gint64  *tables[LAMINA_MAX_RANK];
  guint8   fill[16];
  /* StridedSlice's output shape differs from the gather's by size-1 dims */
  int      final_rank;
  gint64   final[LAMINA_MAX_RANK];
} Plan;

static void
plan_init (Plan *p, const LaminaValue *x)
{
  memset (p, 0, sizeof *p);
  p->rank = x->rank;
  memcpy (p->in, x->dims, sizeof p->in);
  memcpy (p->out, x->dims, sizeof p->out);
  p->final_rank = -1;
}

static void
plan_clear (Plan *p)
{
  for (int a = 0; a < LAMINA_MAX_RANK; a++)
    g_clear_pointer (&p->tables[a], g_free);
}

static gint64 *
plan_table (Plan *p, int a, gint64 n)
{
  g_free (p->tables[a]);
  p->out[a] = n;
  p->tables[a] = g_new (gint64, MAX (n, 1));
  return p->tables[a];
}

static void
plan_range (Plan *p, int a, gint64 start, gint64 step, gint64 n)
{
  gint64 *t;

  if (start == 0 && step == 1 && n == p->in[a])
    return;
  t = plan_table (p, a, n);
  for (gint64 i = 0; i < n; i++)
    t[i] = start + i * step;
}

static gboolean
plan_shape (LaminaKernelCall *call, const Plan *p, GError **error)
{
  if (p->final_rank >= 0)
    return set_output (call, 0, IN (0)->dtype, p->final_rank, p->final, error);
  return set_output (call, 0, IN (0)->dtype, p->rank, p->out, error);
}

static void
plan_run (LaminaKernelCall *call, const Plan *p)
{
  if (OUT (0) != NULL && OUT (0)->numel > 0)
    lamina_copy_gather (OUT (0)->data, IN (0)->data, p->rank, p->out, p->in,
                        (const gint64 *const *) p->tables, esize (IN (0)), p->fill, call->parallel);
}

typedef gboolean (*PlanFunc) (LaminaKernelCall *call, Plan *p, GError **error);

static gboolean
plan_reshape (LaminaKernelCall *call, PlanFunc build, GError **error)
{
  Plan p;
  gboolean ok;

  if (!need_input (call, 0, error))
    return FALSE;
  plan_init (&p, IN (0));
  ok = build (call, &p, error) && plan_shape (call, &p, error);
  plan_clear (&p);
  return ok;
}

static gboolean
plan_execute (LaminaKernelCall *call, PlanFunc build, GError **error)
{
  Plan p;

  plan_init (&p, IN (0));
  if (!build (call, &p, error))
    {
      plan_clear (&p);
      return FALSE;
    }
  plan_run (call, &p);
  plan_clear (&p);
  return TRUE;
}

/* ONNX Slice: start/end clamping of the specification */
static void
slice_axis (Plan *p, int a, gint64 start, gint64 end, gint64 step)
{
  gint64 dim = p->in[a], n;

  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0)
    {
      start = CLAMP (start, 0, dim);
      end = CLAMP (end, 0, dim);
      n = end > start ? (end - start + step - 1) / step : 0;
    }
  else
    {
      start = CLAMP (start, 0, dim - 1);
      end = CLAMP (end, -1, dim - 1);
      n = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
  plan_range (p, a, n > 0 ? start : 0, step, n);
}

static gboolean plan_tflite_slice (LaminaKernelCall *call, Plan *p, GError **error);

static gboolean
plan_slice (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 starts[MAX_LIST], ends[MAX_LIST], axes[MAX_LIST], steps[MAX_LIST];
  int n_starts, n_ends, n_axes, n_steps;
  gboolean has_starts, has_ends, has_axes, has_steps, seen[LAMINA_MAX_RANK] = { FALSE };

  if (lamina_kernel_is_tflite (call))
    return plan_tflite_slice (call, p, error);
  if (!read_list_input_or_attr (call, 1, 10, "starts", starts, &n_starts, &has_starts, error) ||
      !read_list_input_or_attr (call, 2, 10, "ends", ends, &n_ends, &has_ends, error) ||
      !read_list_input_or_attr (call, 3, 10, "axes", axes, &n_axes, &has_axes, error) ||
      !read_list_input_or_attr (call, 4, 10, "steps", steps, &n_steps, &has_steps, error))
    return FALSE;
  if (!has_starts || !has_ends || n_starts != n_ends || (has_axes && n_axes != n_starts) ||
      (has_steps && n_steps != n_starts))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("starts, ends, axes and steps must have the same length"));
  for (int i = 0; i < n_starts; i++)
    {
      int a = i;
      gint64 step = has_steps ? steps[i] : 1;

      if (has_axes && !normalize_axis (call, axes[i], p->rank, 0, &a, error))
        return FALSE;
      if (a >= p->rank || seen[a] || step == 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axis %d is repeated, out of range or has step 0"), a);
      seen[a] = TRUE;
      slice_axis (p, a, starts[i], ends[i], step);
    }
  return TRUE;
}

/* TFLite Slice: (input, begin, size), size -1 = to the end */
static gboolean
plan_tflite_slice (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 begin[MAX_LIST], size[MAX_LIST];
  int nb, ns;

  if (!need_input (call, 1, error) || !need_input (call, 2, error) ||
      !read_list (call, IN (1), begin, &nb, error) || !read_list (call, IN (2), size, &ns, error))
    return FALSE;
  if (nb != p->rank || ns != p->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("begin and size must have one value per axis"));
  for (int a = 0; a < p->rank; a++)
    {
      gint64 n = size[a] == -1 ? p->in[a] - begin[a] : size[a];

      if (begin[a] < 0 || n < 0 || begin[a] > p->in[a] || n > p->in[a] - begin[a])
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("slice %lld+%lld is outside an axis of %lld"),
                                   (long long) begin[a], (long long) n, (long long) p->in[a]);
      plan_range (p, a, begin[a], 1, n);
    }
  return TRUE;
}

/* TFLite/TensorFlow StridedSlice: the sparse spec (with ellipsis and new
 * axes) is expanded to one (begin, end, stride) per input axis, then each
 * axis is clamped like TFLite's strided_slice_logic. */
static gboolean
plan_strided_slice (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 begin[MAX_LIST], end[MAX_LIST], strides[MAX_LIST];
  int nb, ne, ns, dense = 0, after_ellipsis = 0, n_final = 0;
  gint64 bm = lamina_node_get_int (call->node, "begin_mask", 0), em = lamina_node_get_int (call->node, "end_mask", 0);
  gint64 elm = lamina_node_get_int (call->node, "ellipsis_mask", 0);
  gint64 nam = lamina_node_get_int (call->node, "new_axis_mask", 0);
  gint64 sam = lamina_node_get_int (call->node, "shrink_axis_mask", 0);
  gboolean offset = lamina_node_get_int (call->node, "offset", 0) != 0, ellipsis_seen = FALSE;

  if (!need_input (call, 1, error) || !need_input (call, 2, error) || !need_input (call, 3, error) ||
      !read_list (call, IN (1), begin, &nb, error) || !read_list (call, IN (2), end, &ne, error) ||
      !read_list (call, IN (3), strides, &ns, error))
    return FALSE;
  if (nb != ne || nb != ns)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("begin, end and strides must have the same length"));
  for (int i = 0; i < nb; i++)
    if (ellipsis_seen && (nam >> i & 1))
      after_ellipsis++;
    else if (elm >> i & 1)
      ellipsis_seen = TRUE;
  /* without an ellipsis the unmentioned trailing axes are kept whole */
  if (!ellipsis_seen)
    elm |= (gint64) 1 << nb;
  for (int i = 0; i <= nb && dense <= p->rank; i++)
    {
      if (elm >> i & 1)
        {
          int next = MIN (p->rank - (nb - i) + 1 + after_ellipsis, p->rank);

          for (; dense < next; dense++)
            if (n_final < LAMINA_MAX_RANK)
              p->final[n_final++] = p->in[dense];
          if (i == nb)
            break;
          continue;
        }
      if (i == nb)
        break;
      if (nam >> i & 1)
        {
          if (n_final >= LAMINA_MAX_RANK)
            return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank is too large"));
          p->final[n_final++] = 1;
          continue;
        }
      if (dense >= p->rank || strides[i] == 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("slice spec does not fit the input or has stride 0"));
      {
        gint64 dim = p->in[dense], step = strides[i], s, e, n;
        gboolean shrink = sam >> i & 1;

        s = (bm >> i & 1) ? (step > 0 ? 0 : dim - 1) : begin[i];
        if (!(bm >> i & 1) && s < 0)
          s += dim;
        if (shrink)
          {
            if (s < 0 || s >= dim)
              return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                         _("index %lld is out of range for a dimension of %lld"),
                                         (long long) begin[i], (long long) dim);
            plan_range (p, dense, s, 1, 1);
            dense++;
            continue;
          }
        s = step > 0 ? CLAMP (s, 0, dim) : CLAMP (s, -1, dim - 1);
        if (em >> i & 1)
          e = step > 0 ? dim : -1;
        else
          {
            e = offset ? s + end[i] : end[i];
            if (!offset && e < 0)
              e += dim;
            e = step > 0 ? CLAMP (e, 0, dim) : CLAMP (e, -1, dim - 1);
          }
        n = step > 0 ? (e > s ? (e - s + step - 1) / step : 0) : (s > e ? (s - e - step - 1) / (-step) : 0);
        plan_range (p, dense, n > 0 ? s : 0, step, n);
        p->final[n_final++] = n;
        dense++;
      }
    }
  p->final_rank = n_final;
  return TRUE;
}

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP, PAD_SYMMETRIC } PadMode;

static gint64
pad_source (gint64 i, gint64 n, PadMode mode)
{
  gint64 period, m;

  if (i >= 0 && i < n)
    return i;
  switch (mode)
    {
    case PAD_EDGE:
      return CLAMP (i, 0, n - 1);
    case PAD_WRAP:
      return ((i % n) + n) % n;
    case PAD_REFLECT:
      if (n == 1)
        return 0;
      period = 2 * (n - 1);
      m = ((i % period) + period) % period;
      return m < n ? m : period - m;
    case PAD_SYMMETRIC:
      period = 2 * n;
      m = ((i % period) + period) % period;
      return m < n ? m : period - 1 - m;
    case PAD_CONSTANT:
    default:
      return -1;
    }
}

static gboolean
pad_mode (LaminaKernelCall *call, PadMode *mode, GError **error)
{
  static const char *const names[] = { "constant", "reflect", "edge", "wrap", "symmetric", NULL };
  const char *m = lamina_node_get_string (call->node, "mode", "constant");

  for (int i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (m, names[i]) == 0)
      {
        *mode = (PadMode) i;
        /* "symmetric" only exists in TFLite's MirrorPad */
        if (*mode == PAD_SYMMETRIC && strcmp (call->node->op_type, "MirrorPad") != 0)
          break;
        return TRUE;
      }
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                             _("attribute %s = “%s” is not supported"), "mode", m);
}

/* The pad value as one element of the input's dtype. */
static gboolean
pad_value (LaminaKernelCall *call, Plan *p, GError **error)
{
  const LaminaValue *x = IN (0), *v = NULL;
  gboolean tflite = lamina_kernel_is_tflite (call);
  double value = 0;

  if (tflite)
    v = strcmp (call->node->op_type, "PadV2") == 0 ? IN (2) : NULL;
  else if (call->opset >= 11)
    v = IN (2);
  else
    value = lamina_node_get_float (call->node, "value", 0);
  if (v != NULL && v->numel > 0)
    {
      if (v->dtype == x->dtype)
        {
          memcpy (p->fill, v->data, esize (x));
          return TRUE;
        }
      value = lamina_value_get_double (v, 0);
    }
  else if (tflite && x->quant != NULL && x->quant->zero_point != NULL)
    value = (double) x->quant->zero_point[0];  /* quantized zero */
  if (!lamina_store_double (p->fill, x->dtype, value) && value != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (x->dtype));
  return TRUE;
}

/* pads[] as begin_0 … begin_{r-1}, end_0 … end_{r-1} over the input axes. */
static gboolean
read_pads (LaminaKernelCall *call, const Plan *p, gint64 *begin, gint64 *end, GError **error)
{
  gint64 list[MAX_LIST], axes[MAX_LIST];
  int n = 0, n_axes = p->rank;
  gboolean given, has_axes = FALSE;

  memset (begin, 0, LAMINA_MAX_RANK * sizeof (gint64));
  memset (end, 0, LAMINA_MAX_RANK * sizeof (gint64));
  if (lamina_kernel_is_tflite (call))
    {
      if (!need_input (call, 1, error))
        return FALSE;
      /* TFLite paddings: [rank, 2] */
      if (!read_list (call, IN (1), list, &n, error))
        return FALSE;
      if (IN (1)->rank != 2 || IN (1)->dims[0] != p->rank || IN (1)->dims[1] != 2)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("paddings must be [rank, 2]"));
      for (int a = 0; a < p->rank; a++)
        begin[a] = list[2 * a], end[a] = list[2 * a + 1];
      return TRUE;
    }
  if (!read_list_input_or_attr (call, 1, 11, "pads", list, &n, &given, error) ||
      !read_list_input_or_attr (call, 3, 18, "__no_attribute__", axes, &n_axes, &has_axes, error))
    return FALSE;
  if (!has_axes)
    {
      n_axes = p->rank;
      for (int a = 0; a < p->rank; a++)
        axes[a] = a;
    }
  if (!given || n != 2 * n_axes)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("pads must have 2 values per axis"));
  for (int i = 0; i < n_axes; i++)
    {
      int a;

      if (!normalize_axis (call, axes[i], p->rank, 0, &a, error))
        return FALSE;
      begin[a] = list[i];
      end[a] = list[n_axes + i];
    }
  return TRUE;
}

static gboolean
plan_pad (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 begin[LAMINA_MAX_RANK], end[LAMINA_MAX_RANK];
  PadMode mode = PAD_CONSTANT;

  if (strcmp (call->node->op_type, "Pad") == 0 || strcmp (call->node->op_type, "PadV2") == 0)
    {
      if (lamina_node_get_attr (call->node, "mode") != NULL && !pad_mode (call, &mode, error))
        return FALSE;
    }
  else if (!pad_mode (call, &mode, error))  /* MirrorPad: "REFLECT" / "SYMMETRIC" */
    return FALSE;
  if (!read_pads (call, p, begin, end, error) || !pad_value (call, p, error))
    return FALSE;
  for (int a = 0; a < p->rank; a++)
    {
      gint64 n = p->in[a] + begin[a] + end[a], *t;

      if (begin[a] == 0 && end[a] == 0)
        continue;
      if (n < 0 || llabs (begin[a]) > (G_GINT64_CONSTANT (1) << 40) || llabs (end[a]) > (G_GINT64_CONSTANT (1) << 40))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("pads %lld, %lld are invalid for an axis of %lld"),
                                   (long long) begin[a], (long long) end[a], (long long) p->in[a]);
      if (mode != PAD_CONSTANT && p->in[a] == 0 && n > 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("cannot pad an empty axis in this mode"));
      t = plan_table (p, a, n);
      for (gint64 i = 0; i < n; i++)
        t[i] = pad_source (i - begin[a], p->in[a], mode);
    }
  return TRUE;
}

static gboolean
plan_tile (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 reps[MAX_LIST];
  int n;

  if (!need_input (call, 1, error) || !read_list (call, IN (1), reps, &n, error))
    return FALSE;
  if (n != p->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("repeats has %d values for rank %d"), n, p->rank);
  for (int a = 0; a < p->rank; a++)
    {
      gint64 *t;

      if (reps[a] < 0 || (p->in[a] > 0 && reps[a] > G_MAXINT32))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("repeat %lld is invalid"), (long long) reps[a]);
      if (reps[a] == 1)
        continue;
      t = plan_table (p, a, p->in[a] * reps[a]);
      for (gint64 i = 0; i < p->out[a]; i++)
        t[i] = i % p->in[a];
    }
  return TRUE;
}

/* Expand: NumPy broadcasting of the input to a shape (both ways). The
 * input is seen with leading 1s so that input and output have one rank. */
static gboolean
plan_expand (LaminaKernelCall *call, Plan *p, GError **error)
{
  gint64 shape[MAX_LIST], in[LAMINA_MAX_RANK];
  int n, rank;

  if (!need_input (call, 1, error) || !read_list (call, IN (1), shape, &n, error))
    return FALSE;
  rank = MAX (n, p->rank);
  if (rank > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank %d is too large"), rank);
  for (int a = 0; a < rank; a++)
    {
      int ia = a - (rank - p->rank), sa = a - (rank - n);
      gint64 d = ia >= 0 ? p->in[ia] : 1, s = sa >= 0 ? shape[sa] : 1;

      if (d != s && d != 1 && s != 1)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("cannot broadcast dimension %lld to %lld"), (long long) d, (long long) s);
      in[a] = d;
    }
  p->rank = rank;
  memcpy (p->in, in, sizeof in);
  memcpy (p->out, in, sizeof in);
  for (int a = 0; a < rank; a++)
    {
      int sa = a - (rank - n);
      gint64 s = sa >= 0 ? shape[sa] : 1;

      if (in[a] == 1 && s != 1)
        {
          gint64 *t = plan_table (p, a, s);
          memset (t, 0, (gsize) MAX (s, 1) * sizeof (gint64));
        }
    }
  return TRUE;
}

#define PLAN_KERNEL(name)                                                            \
  static gboolean reshape_##name (LaminaKernelCall *call, GError **error)           \
  { return plan_reshape (call, plan_##name, error); }                               \
  static gboolean run_##name (LaminaKernelCall *call, GError **error)               \
  { return plan_execute (call, plan_##name, error); }

PLAN_KERNEL (slice)
PLAN_KERNEL (strided_slice)
PLAN_KERNEL (pad)
PLAN_KERNEL (tile)
PLAN_KERNEL (expand)

/* ---- Gather, GatherElements, GatherND, ScatterND -------------------------------- */

static gboolean
gather_axes (LaminaKernelCall *call, int *axis, int *batch, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);

  if (!need_input (call, 0, error) || !need_input (call, 1, error))
    return FALSE;
  if (!lamina_dtype_is_integer (ind->dtype))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("indices must be integers"));
  if (!normalize_axis (call, lamina_node_get_int (call->node, "axis", 0), x->rank, 0, axis, error))
    return FALSE;
  *batch = (int) lamina_node_get_int (call->node, "batch_dims", 0);
  if (*batch < 0)
    *batch += ind->rank;
  if (*batch < 0 || *batch > *axis || *batch > ind->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("batch_dims is invalid"));
  for (int i = 0; i < *batch; i++)
    if (x->dims[i] != ind->dims[i])
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("batch dimensions of data and indices differ"));
  return TRUE;
}

static gboolean
reshape_gather (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x, *ind;
  gint64 dims[LAMINA_MAX_RANK];
  int axis, batch, n = 0;

  if (!gather_axes (call, &axis, &batch, error))
    return FALSE;
  x = IN (0), ind = IN (1);
  if (x->rank - 1 + ind->rank - batch > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank is too large"));
  for (int i = 0; i < axis; i++)
    dims[n++] = x->dims[i];
  for (int i = batch; i < ind->rank; i++)
    dims[n++] = ind->dims[i];
  for (int i = axis + 1; i < x->rank; i++)
    dims[n++] = x->dims[i];
  return set_output (call, 0, x->dtype, n, dims, error);
}

static gboolean
run_gather (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);
  LaminaValue *y = OUT (0);
  int axis, batch;
  gint64 nb, np, na, nk;
  gsize inner;

  if (!gather_axes (call, &axis, &batch, error))
    return FALSE;
  nb = product (x->dims, 0, batch);
  np = product (x->dims, batch, axis);
  na = x->dims[axis];
  nk = product (ind->dims, batch, ind->rank);
  inner = (gsize) product (x->dims, axis + 1, x->rank) * esize (x);
  /* every index is checked before anything is read */
  for (gint64 i = 0; i < ind->numel; i++)
    {
      gint64 idx = index_at (ind, i);
      if (!check_index (call, &idx, na, error))
        return FALSE;
    }
  if (y == NULL)
    return TRUE;
  for (gint64 b = 0; b < nb; b++)
    for (gint64 p = 0; p < np; p++)
      for (gint64 k = 0; k < nk; k++)
        {
          gint64 idx = index_at (ind, b * nk + k);

          idx = idx < 0 ? idx + na : idx;
          memcpy ((guint8 *) y->data + ((b * np + p) * nk + k) * inner,
                  (const guint8 *) x->data + ((b * np + p) * na + idx) * inner, inner);
        }
  return TRUE;
}

static gboolean
reshape_gather_elements (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);
  int axis, batch;

  if (!gather_axes (call, &axis, &batch, error))
    return FALSE;
  if (ind->rank != x->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("data and indices must have the same rank"));
  for (int i = 0; i < x->rank; i++)
    if (i != axis && ind->dims[i] > x->dims[i])
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("indices are larger than data on axis %d"), i);
  return set_output (call, 0, x->dtype, ind->rank, ind->dims, error);
}

static gboolean
run_gather_elements (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);
  LaminaValue *y = OUT (0);
  gint64 idx[LAMINA_MAX_RANK] = { 0 }, xs[LAMINA_MAX_RANK];
  gsize elem = esize (x);
  int axis, batch;

  if (!gather_axes (call, &axis, &batch, error))
    return FALSE;
  for (int i = 0; i < x->rank; i++)
    xs[i] = product (x->dims, i + 1, x->rank);
  for (gint64 o = 0; o < ind->numel; o++)
    {
      gint64 k = index_at (ind, o), off = 0;

      if (!check_index (call, &k, x->dims[axis], error))
        return FALSE;
      for (int i = 0; i < x->rank; i++)
        off += (i == axis ? k : idx[i]) * xs[i];
      if (y != NULL)
        memcpy ((guint8 *) y->data + o * elem, (const guint8 *) x->data + off * elem, elem);
      for (int i = ind->rank - 1; i >= 0 && ++idx[i] == ind->dims[i]; i--)
        idx[i] = 0;
    }
  return TRUE;
}

/* GatherND and ScatterND address slices of data by index tuples in the
 * last axis of indices. */
typedef struct {
  int    batch;    /* leading batch dims */
  int    m;        /* tuple length */
  gint64 n_batch, n_tuples;  /* tuples per batch */
  gsize  slice;    /* bytes of one addressed slice */
} NdLayout;

static gboolean
nd_layout (LaminaKernelCall *call, int batch, NdLayout *l, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);

  if (!need_input (call, 0, error) || !need_input (call, 1, error))
    return FALSE;
  if (!lamina_dtype_is_integer (ind->dtype) || ind->rank < 1 || batch < 0 || batch >= ind->rank ||
      batch > x->rank)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("indices or batch_dims are invalid"));
  l->batch = batch;
  l->m = (int) ind->dims[ind->rank - 1];
  if (l->m < 1 || l->m > x->rank - batch)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("index tuples of %d values do not fit rank %d"), l->m, x->rank);
  for (int i = 0; i < batch; i++)
    if (x->dims[i] != ind->dims[i])
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("batch dimensions of data and indices differ"));
  l->n_batch = product (x->dims, 0, batch);
  l->n_tuples = product (ind->dims, batch, ind->rank - 1);
  l->slice = (gsize) product (x->dims, batch + l->m, x->rank) * esize (x);
  return TRUE;
}

/* Element offset (in slices) of tuple t of batch b, checked. */
static gboolean
nd_offset (LaminaKernelCall *call, const NdLayout *l, gint64 b, gint64 t, gint64 *off, GError **error)
{
  const LaminaValue *x = IN (0), *ind = IN (1);
  gint64 o = b;

  for (int j = 0; j < l->m; j++)
    {
      gint64 dim = x->dims[l->batch + j], k = index_at (ind, (b * l->n_tuples + t) * l->m + j);

      if (!check_index (call, &k, dim, error))
        return FALSE;
      o = o * dim + k;
    }
  *off = o;
  return TRUE;
}

static gboolean
reshape_gather_nd (LaminaKernelCall *call, GError **error)
{
  NdLayout l;
  gint64 dims[LAMINA_MAX_RANK];
  int n = 0;
  const LaminaValue *x = IN (0), *ind = IN (1);

  if (!nd_layout (call, (int) lamina_node_get_int (call->node, "batch_dims", 0), &l, error))
    return FALSE;
  if (ind->rank - 1 + x->rank - l.batch - l.m > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank is too large"));
  for (int i = 0; i < ind->rank - 1; i++)
    dims[n++] = ind->dims[i];
  for (int i = l.batch + l.m; i < x->rank; i++)
    dims[n++] = x->dims[i];
  return set_output (call, 0, x->dtype, n, dims, error);
}

static gboolean
run_gather_nd (LaminaKernelCall *call, GError **error)
{
  NdLayout l;
  LaminaValue *y = OUT (0);

  if (!nd_layout (call, (int) lamina_node_get_int (call->node, "batch_dims", 0), &l, error))
    return FALSE;
  for (gint64 b = 0; b < l.n_batch; b++)
    for (gint64 t = 0; t < l.n_tuples; t++)
      {
        gint64 off;

        if (!nd_offset (call, &l, b, t, &off, error))
          return FALSE;
        if (y != NULL)
          memcpy ((guint8 *) y->data + (b * l.n_tuples + t) * l.slice,
                  (const guint8 *) IN (0)->data + off * l.slice, l.slice);
      }
  return TRUE;
}

typedef enum { SCATTER_NONE, SCATTER_ADD, SCATTER_MUL, SCATTER_MAX, SCATTER_MIN } Reduction;

static gboolean
reshape_scatter_nd (LaminaKernelCall *call, GError **error)
{
  NdLayout l;
  const LaminaValue *x = IN (0), *ind = IN (1), *upd = IN (2);
  const char *red = lamina_node_get_string (call->node, "reduction", "none");

  if (!nd_layout (call, 0, &l, error) || !need_input (call, 2, error))
    return FALSE;
  if (upd->dtype != x->dtype || upd->rank != ind->rank - 1 + x->rank - l.m)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("updates have the wrong shape"));
  for (int i = 0; i < upd->rank; i++)
    if (upd->dims[i] != (i < ind->rank - 1 ? ind->dims[i] : x->dims[l.m + i - (ind->rank - 1)]))
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("updates have the wrong shape"));
  if (strcmp (red, "none") != 0 && x->dtype != LAMINA_DTYPE_FLOAT32 && x->dtype != LAMINA_DTYPE_FLOAT64 &&
      x->dtype != LAMINA_DTYPE_INT32 && x->dtype != LAMINA_DTYPE_INT64)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (x->dtype));
  return set_output (call, 0, x->dtype, x->rank, x->dims, error);
}

#define REDUCE_INTO(T)                                                             \
  for (gsize i = 0; i < n; i++)                                                    \
    {                                                                              \
      T a, b;                                                                      \
      memcpy (&a, d + i * sizeof (T), sizeof (T));                                 \
      memcpy (&b, s + i * sizeof (T), sizeof (T));                                 \
      a = red == SCATTER_ADD ? a + b : red == SCATTER_MUL ? a * b :                \
          red == SCATTER_MAX ? MAX (a, b) : MIN (a, b);                            \
      memcpy (d + i * sizeof (T), &a, sizeof (T));                                 \
    }

static void
scatter_slice (guint8 *d, const guint8 *s, gsize bytes, LaminaDType dtype, Reduction red)
{
  gsize n = bytes / MAX (lamina_dtype_size (dtype), 1);

  if (red == SCATTER_NONE)
    memcpy (d, s, bytes);
  else if (dtype == LAMINA_DTYPE_FLOAT32)
    { REDUCE_INTO (float) }
  else if (dtype == LAMINA_DTYPE_FLOAT64)
    { REDUCE_INTO (double) }
  else if (dtype == LAMINA_DTYPE_INT32)
    { REDUCE_INTO (gint32) }
  else
    { REDUCE_INTO (gint64) }
}

static gboolean
run_scatter_nd (LaminaKernelCall *call, GError **error)
{
  static const char *const names[] = { "none", "add", "mul", "max", "min", NULL };
  const char *red = lamina_node_get_string (call->node, "reduction", "none");
  LaminaValue *y = OUT (0);
  Reduction r = SCATTER_NONE;
  NdLayout l;
  gint64 off;

  if (!nd_layout (call, 0, &l, error))
    return FALSE;
  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (red, names[i]) == 0)
      r = (Reduction) i;
  if (y == NULL)
    return TRUE;
  /* all indices first: a bad one must leave nothing half-written */
  for (gint64 t = 0; t < l.n_tuples; t++)
    if (!nd_offset (call, &l, 0, t, &off, error))
      return FALSE;
  memcpy (y->data, IN (0)->data, (gsize) IN (0)->numel * esize (IN (0)));
  for (gint64 t = 0; t < l.n_tuples; t++)
    {
      nd_offset (call, &l, 0, t, &off, NULL);
      scatter_slice ((guint8 *) y->data + off * l.slice, (const guint8 *) IN (2)->data + t * l.slice,
                     l.slice, y->dtype, r);
    }
  return TRUE;
}

/* ---- Shape, Size, ConstantOfShape, Fill, ZerosLike, Range, Constant ------------ */

static gboolean
shape_bounds (LaminaKernelCall *call, gint64 *start, gint64 *end, LaminaDType *dtype)
{
  const LaminaValue *x = IN (0);
  const char *out_type = lamina_node_get_string (call->node, "out_type", NULL);
  gint64 r = x->rank;

  *start = lamina_node_get_int (call->node, "start", 0);
  *end = lamina_node_get_int (call->node, "end", r);
  *start = CLAMP (*start < 0 ? *start + r : *start, 0, r);
  *end = CLAMP (*end < 0 ? *end + r : *end, 0, r);
  /* TFLite's Shape has out_type (default int32); ONNX's is int64 */
  if (lamina_kernel_is_tflite (call))
    *dtype = g_strcmp0 (out_type, "INT64") == 0 ? LAMINA_DTYPE_INT64 : LAMINA_DTYPE_INT32;
  else
    *dtype = LAMINA_DTYPE_INT64;
  return TRUE;
}

static gboolean
reshape_shape (LaminaKernelCall *call, GError **error)
{
  gint64 start, end, n;
  LaminaDType dtype;

  if (IN (0) == NULL)
    return need_input (call, 0, error);
  shape_bounds (call, &start, &end, &dtype);
  n = MAX (end - start, 0);
  return set_output (call, 0, dtype, 1, &n, error);
}

static gboolean
run_shape (LaminaKernelCall *call, GError **error)
{
  gint64 start, end;
  LaminaDType dtype;
  LaminaValue *y = OUT (0);

  (void) error;
  shape_bounds (call, &start, &end, &dtype);
  for (gint64 i = start; y != NULL && i < end; i++)
    lamina_store_double ((guint8 *) y->data + (i - start) * esize (y), dtype, (double) IN (0)->dims[i]);
  return TRUE;
}

static gboolean
reshape_size (LaminaKernelCall *call, GError **error)
{
  if (IN (0) == NULL)
    return need_input (call, 0, error);
  return set_output (call, 0, LAMINA_DTYPE_INT64, 0, NULL, error);
}

static gboolean
run_size (LaminaKernelCall *call, GError **error)
{
  (void) error;
  if (OUT (0) != NULL)
    memcpy (OUT (0)->data, &IN (0)->numel, 8);
  return TRUE;
}

static void
fill_value (LaminaValue *y, const void *elem)
{
  gsize size = esize (y);

  for (gint64 i = 0; i < y->numel; i++)
    memcpy ((guint8 *) y->data + i * size, elem, size);
}

/* ConstantOfShape (value attribute) and TFLite Fill (value input): the
 * value's dtype and bytes. */
static gboolean
fill_spec (LaminaKernelCall *call, LaminaDType *dtype, const void **bytes, gint64 *dims, int *rank,
           GError **error)
{
  static const float zero = 0;
  gboolean tflite = strcmp (call->node->op_type, "Fill") == 0;
  gint64 list[MAX_LIST];

  if (!need_input (call, 0, error) || !read_list (call, IN (0), list, rank, error))
    return FALSE;
  if (*rank > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("rank %d is too large"), *rank);
  for (int i = 0; i < *rank; i++)
    if ((dims[i] = list[i]) < 0)
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("shape value %lld is invalid"), (long long) list[i]);
  if (tflite)
    {
      if (!need_input (call, 1, error) || IN (1)->numel != 1)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("value must be a scalar"));
      *dtype = IN (1)->dtype;
      *bytes = IN (1)->data;
      return TRUE;
    }
  {
    const LaminaAttr *a = lamina_node_get_attr (call->node, "value");

    *dtype = LAMINA_DTYPE_FLOAT32;
    *bytes = &zero;
    if (a == NULL)
      return TRUE;
    if (a->type != LAMINA_ATTR_TENSOR || a->t == NULL || a->t->data == NULL ||
        lamina_shape_numel (&a->t->shape) != 1 || lamina_dtype_size (a->t->dtype) == 0 ||
        g_bytes_get_size (a->t->data) != lamina_dtype_size (a->t->dtype))
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("value must be a one-element tensor"));
    *dtype = a->t->dtype;
    *bytes = g_bytes_get_data (a->t->data, NULL);
    return TRUE;
  }
}

static gboolean
reshape_fill (LaminaKernelCall *call, GError **error)
{
  LaminaDType dtype;
  const void *bytes;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  return fill_spec (call, &dtype, &bytes, dims, &rank, error) && set_output (call, 0, dtype, rank, dims, error);
}

static gboolean
run_fill (LaminaKernelCall *call, GError **error)
{
  LaminaDType dtype;
  const void *bytes;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  if (!fill_spec (call, &dtype, &bytes, dims, &rank, error))
    return FALSE;
  if (OUT (0) != NULL)
    fill_value (OUT (0), bytes);
  return TRUE;
}

static gboolean
reshape_zeros_like (LaminaKernelCall *call, GError **error)
{
  return need_input (call, 0, error) && set_output (call, 0, IN (0)->dtype, IN (0)->rank, IN (0)->dims, error);
}

static gboolean
run_zeros_like (LaminaKernelCall *call, GError **error)
{
  (void) error;
  if (OUT (0) != NULL)
    memset (OUT (0)->data, 0, (gsize) OUT (0)->numel * esize (OUT (0)));
  return TRUE;
}

static gboolean
range_count (LaminaKernelCall *call, gint64 *count, GError **error)
{
  const LaminaValue *start = IN (0), *limit = IN (1), *delta = IN (2);

  if (!need_input (call, 0, error) || !need_input (call, 1, error) || !need_input (call, 2, error))
    return FALSE;
  if (start->numel != 1 || limit->numel != 1 || delta->numel != 1 || start->dtype != limit->dtype ||
      start->dtype != delta->dtype)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("start, limit and delta must be scalars of one dtype"));
  if (lamina_dtype_is_float (start->dtype))
    {
      double s = lamina_value_get_double (start, 0), l = lamina_value_get_double (limit, 0);
      double d = lamina_value_get_double (delta, 0), n = ceil ((l - s) / d);

      if (d == 0 || isnan (n) || n > (double) (G_GINT64_CONSTANT (1) << 40))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid range"));
      *count = n > 0 ? (gint64) n : 0;
      return TRUE;
    }
  {
    gint64 s = lamina_value_get_int (start, 0), l = lamina_value_get_int (limit, 0);
    gint64 d = lamina_value_get_int (delta, 0);
    double n = d == 0 ? 0 : ceil (((double) l - (double) s) / (double) d);

    if (d == 0 || n > (double) (G_GINT64_CONSTANT (1) << 40))
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid range"));
    /* exact for int64 (the double above only bounds the size) */
    if (d > 0)
      *count = l > s ? (gint64) (((guint64) l - (guint64) s + (guint64) d - 1) / (guint64) d) : 0;
    else
      *count = s > l ? (gint64) (((guint64) s - (guint64) l + (guint64) (-d) - 1) / (guint64) (-d)) : 0;
    return TRUE;
  }
}

static gboolean
reshape_range (LaminaKernelCall *call, GError **error)
{
  gint64 n;

  return range_count (call, &n, error) && set_output (call, 0, IN (0)->dtype, 1, &n, error);
}

static gboolean
run_range (LaminaKernelCall *call, GError **error)
{
  LaminaValue *y = OUT (0);
  gint64 n;

  if (!range_count (call, &n, error))
    return FALSE;
  if (y == NULL)
    return TRUE;
  /* accumulate in the output's own type, as the specification's loop does */
  if (y->dtype == LAMINA_DTYPE_FLOAT32)
    {
      float v = (float) lamina_value_get_double (IN (0), 0), d = (float) lamina_value_get_double (IN (2), 0);
      for (gint64 i = 0; i < n; i++, v += d)
        LAMINA_VALUE_F32 (y)[i] = v;
    }
  else if (lamina_dtype_is_float (y->dtype))
    {
      double v = lamina_value_get_double (IN (0), 0), d = lamina_value_get_double (IN (2), 0);
      for (gint64 i = 0; i < n; i++, v += d)
        lamina_store_double ((guint8 *) y->data + i * esize (y), y->dtype, v);
    }
  else
    {
      gint64 v = lamina_value_get_int (IN (0), 0), d = lamina_value_get_int (IN (2), 0);
      for (gint64 i = 0; i < n; i++, v += d)
        lamina_store_double ((guint8 *) y->data + i * esize (y), y->dtype, (double) v);
    }
  return TRUE;
}

/* Constant: the one attribute that holds the value. */
typedef struct {
  LaminaDType  dtype;
  int          rank;
  gint64       dims[LAMINA_MAX_RANK];
  const void  *bytes;   /* NULL: convert from ints/floats */
  const LaminaAttr *list;
  float        f;
  gint64       i;
} ConstSpec;

static gboolean
constant_spec (LaminaKernelCall *call, ConstSpec *c, GError **error)
{
  const LaminaAttr *a;

  memset (c, 0, sizeof *c);
  if ((a = lamina_node_get_attr (call->node, "value")) != NULL && a->type == LAMINA_ATTR_TENSOR && a->t)
    {
      const LaminaTensor *t = a->t;

      if (t->data == NULL || !lamina_shape_is_static (&t->shape) || t->shape.rank > LAMINA_MAX_RANK ||
          lamina_dtype_size (t->dtype) == 0 ||
          g_bytes_get_size (t->data) != (gsize) lamina_shape_numel (&t->shape) * lamina_dtype_size (t->dtype))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                   _("the constant's tensor is not supported"));
      c->dtype = t->dtype;
      c->rank = t->shape.rank;
      for (int i = 0; i < c->rank; i++)
        c->dims[i] = t->shape.dims[i].value;
      c->bytes = g_bytes_get_data (t->data, NULL);
      return TRUE;
    }
  if ((a = lamina_node_get_attr (call->node, "value_float")) != NULL)
    c->dtype = LAMINA_DTYPE_FLOAT32, c->f = (float) a->f;
  else if ((a = lamina_node_get_attr (call->node, "value_int")) != NULL)
    c->dtype = LAMINA_DTYPE_INT64, c->i = a->i;
  else if ((a = lamina_node_get_attr (call->node, "value_floats")) != NULL && a->type == LAMINA_ATTR_FLOATS)
    c->dtype = LAMINA_DTYPE_FLOAT32, c->list = a, c->rank = 1, c->dims[0] = a->n;
  else if ((a = lamina_node_get_attr (call->node, "value_ints")) != NULL && a->type == LAMINA_ATTR_INTS)
    c->dtype = LAMINA_DTYPE_INT64, c->list = a, c->rank = 1, c->dims[0] = a->n;
  else
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("the constant's value attribute is missing or not supported"));
  return TRUE;
}

static gboolean
reshape_constant (LaminaKernelCall *call, GError **error)
{
  ConstSpec c;

  return constant_spec (call, &c, error) && set_output (call, 0, c.dtype, c.rank, c.dims, error);
}

static gboolean
run_constant (LaminaKernelCall *call, GError **error)
{
  LaminaValue *y = OUT (0);
  ConstSpec c;

  if (!constant_spec (call, &c, error) || y == NULL)
    return y == NULL;
  if (c.bytes != NULL)
    memcpy (y->data, c.bytes, (gsize) y->numel * esize (y));
  else if (c.list != NULL && c.list->type == LAMINA_ATTR_INTS)
    memcpy (y->data, c.list->ints, c.list->n * sizeof (gint64));
  else if (c.list != NULL)
    for (guint i = 0; i < c.list->n; i++)
      LAMINA_VALUE_F32 (y)[i] = (float) c.list->floats[i];
  else if (c.dtype == LAMINA_DTYPE_FLOAT32)
    memcpy (y->data, &c.f, 4);
  else
    memcpy (y->data, &c.i, 8);
  return TRUE;
}

/* ---- EyeLike, NonZero, OneHot, Trilu ------------------------------------------- */

static gboolean
reshape_eye_like (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  LaminaDType dtype;

  if (!need_input (call, 0, error))
    return FALSE;
  if (x->rank != 2)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("needs a 2-D input"));
  dtype = x->dtype;
  if (lamina_node_get_attr (call->node, "dtype") != NULL)
    dtype = lamina_dtype_from_onnx (lamina_node_get_int (call->node, "dtype", 0));
  if (lamina_dtype_size (dtype) == 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (dtype));
  return set_output (call, 0, dtype, 2, x->dims, error);
}

static gboolean
run_eye_like (LaminaKernelCall *call, GError **error)
{
  LaminaValue *y = OUT (0);
  gint64 k = lamina_node_get_int (call->node, "k", 0);
  guint8 one[16];

  if (y == NULL)
    return TRUE;
  if (!lamina_store_double (one, y->dtype, 1))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (y->dtype));
  memset (y->data, 0, (gsize) y->numel * esize (y));
  for (gint64 i = 0; i < y->dims[0]; i++)
    if (i + k >= 0 && i + k < y->dims[1])
      memcpy ((guint8 *) y->data + (i * y->dims[1] + i + k) * esize (y), one, esize (y));
  return TRUE;
}

static gboolean
is_nonzero (const LaminaValue *x, gint64 i)
{
  gsize size = esize (x);
  const guint8 *p = (const guint8 *) x->data + i * size;

  if (lamina_dtype_is_float (x->dtype))
    return lamina_value_get_double (x, i) != 0;  /* -0.0 is zero */
  for (gsize b = 0; b < size; b++)
    if (p[b] != 0)
      return TRUE;
  return FALSE;
}

static gboolean
reshape_non_zero (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  gint64 dims[2] = { 0, 0 };

  if (!need_input (call, 0, error))
    return FALSE;
  /* the output size depends on the contents */
  for (gint64 i = 0; i < x->numel; i++)
    dims[1] += is_nonzero (x, i);
  dims[0] = x->rank;
  return set_output (call, 0, LAMINA_DTYPE_INT64, 2, dims, error);
}

static gboolean
run_non_zero (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  LaminaValue *y = OUT (0);
  gint64 idx[LAMINA_MAX_RANK] = { 0 }, k = 0, n;

  (void) error;
  if (y == NULL)
    return TRUE;
  n = y->dims[1];
  for (gint64 i = 0; i < x->numel; i++)
    {
      if (is_nonzero (x, i) && k < n)
        {
          for (int a = 0; a < x->rank; a++)
            memcpy ((guint8 *) y->data + (a * n + k) * 8, &idx[a], 8);
          k++;
        }
      for (int a = x->rank - 1; a >= 0 && ++idx[a] == x->dims[a]; a--)
        idx[a] = 0;
    }
  return TRUE;
}

static gboolean
one_hot_spec (LaminaKernelCall *call, int *axis, gint64 *depth, GError **error)
{
  const LaminaValue *ind = IN (0), *d = IN (1), *values = IN (2);

  if (!need_input (call, 0, error) || !need_input (call, 1, error) || !need_input (call, 2, error))
    return FALSE;
  if (d->numel != 1 || values->numel != 2 || ind->rank + 1 > LAMINA_MAX_RANK)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("depth must be a scalar and values a pair"));
  *depth = (gint64) lamina_value_get_double (d, 0);
  if (*depth < 1 || *depth > (G_GINT64_CONSTANT (1) << 32))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("depth %lld is invalid"), (long long) *depth);
  return normalize_axis (call, lamina_node_get_int (call->node, "axis", -1), ind->rank, 1, axis, error);
}

static gboolean
reshape_one_hot (LaminaKernelCall *call, GError **error)
{
  gint64 depth, dims[LAMINA_MAX_RANK];
  int axis;

  if (!one_hot_spec (call, &axis, &depth, error))
    return FALSE;
  for (int i = 0, k = 0; i <= IN (0)->rank; i++)
    dims[i] = i == axis ? depth : IN (0)->dims[k++];
  return set_output (call, 0, IN (2)->dtype, IN (0)->rank + 1, dims, error);
}

static gboolean
run_one_hot (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *ind = IN (0), *values = IN (2);
  LaminaValue *y = OUT (0);
  gint64 depth, outer, inner;
  gsize size;
  int axis;

  if (!one_hot_spec (call, &axis, &depth, error) || y == NULL)
    return y == NULL;
  size = esize (y);
  outer = product (ind->dims, 0, axis);
  inner = product (ind->dims, axis, ind->rank);
  fill_value (y, values->data);
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < inner; i++)
      {
        gint64 k = (gint64) lamina_value_get_double (ind, o * inner + i);

        k = k < 0 ? k + depth : k;
        if (k >= 0 && k < depth)
          memcpy ((guint8 *) y->data + ((o * depth + k) * inner + i) * size, (const guint8 *) values->data + size,
                  size);
      }
  return TRUE;
}

static gboolean
reshape_trilu (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);

  if (!need_input (call, 0, error))
    return FALSE;
  if (x->rank < 2 || (IN (1) != NULL && IN (1)->numel != 1))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("needs an input of rank 2 or more and a scalar k"));
  return set_output (call, 0, x->dtype, x->rank, x->dims, error);
}

static gboolean
run_trilu (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = IN (0);
  LaminaValue *y = OUT (0);
  gint64 k = IN (1) != NULL ? lamina_value_get_int (IN (1), 0) : 0, rows, cols, mats;
  gboolean upper = lamina_node_get_int (call->node, "upper", 1) != 0;
  gsize size = esize (x);

  if (!run_copy (call, error) || y == NULL)
    return TRUE;
  rows = x->dims[x->rank - 2];
  cols = x->dims[x->rank - 1];
  mats = rows > 0 && cols > 0 ? x->numel / (rows * cols) : 0;
  for (gint64 m = 0; m < mats; m++)
    for (gint64 i = 0; i < rows; i++)
      for (gint64 j = 0; j < cols; j++)
        if (upper ? j - i < k : j - i > k)
          memset ((guint8 *) y->data + ((m * rows + i) * cols + j) * size, 0, size);
  return TRUE;
}

/* ---- the table ------------------------------------------------------------------ */

#define K(op, name) { op, "", NULL, reshape_##name, run_##name, NULL }
#define K_COPY(op, name) { op, "", NULL, reshape_##name, run_copy, NULL }
#define K_RESIZE(op) { op, "", NULL, lamina_resize_reshape, lamina_resize_run, NULL }

/* Sorted by op_type; the registry sorts again, this is for readers.
 * TFLite builtins share the ONNX kernels where the names are the same. */
const LaminaKernel lamina_kernels_tensor[] = {
  K ("Concat", concat),
  K ("Concatenation", concat),              /* TFLite */
  K ("Constant", constant),
  K ("ConstantOfShape", fill),
  K ("DepthToSpace", block),                /* ONNX and TFLite */
  K ("Expand", expand),
  K_COPY ("ExpandDims", expand_dims),       /* TFLite */
  K ("EyeLike", eye_like),
  K ("Fill", fill),                         /* TFLite */
  K_COPY ("Flatten", flatten),
  K ("Gather", gather),                     /* ONNX and TFLite (batch_dims) */
  K ("GatherElements", gather_elements),
  K ("GatherND", gather_nd),
  K ("MirrorPad", pad),                     /* TFLite */
  K ("NonZero", non_zero),
  K ("OneHot", one_hot),
  K ("Pack", concat),                       /* TFLite */
  K ("Pad", pad),                           /* ONNX and TFLite */
  K ("PadV2", pad),                         /* TFLite */
  K ("Range", range),
  K_COPY ("Reshape", reshape),              /* ONNX and TFLite */
  K_RESIZE ("Resize"),
  K_RESIZE ("ResizeBilinear"),              /* TFLite */
  K_RESIZE ("ResizeNearestNeighbor"),       /* TFLite */
  K ("ScatterND", scatter_nd),
  K ("Shape", shape),                       /* ONNX and TFLite */
  K ("Size", size),
  K ("Slice", slice),
  K ("SpaceToDepth", block),                /* ONNX and TFLite */
  K ("Split", split),                       /* ONNX and TFLite */
  K ("SplitV", split),                      /* TFLite */
  K_COPY ("Squeeze", squeeze),              /* ONNX and TFLite */
  K ("StridedSlice", strided_slice),        /* TFLite */
  K ("Tile", tile),                         /* ONNX and TFLite */
  K ("Transpose", transpose),               /* ONNX and TFLite */
  K ("Trilu", trilu),
  K ("Unpack", split),                      /* TFLite */
  K_COPY ("Unsqueeze", unsqueeze),
  K_RESIZE ("Upsample"),
  K ("ZerosLike", zeros_like),              /* TFLite */
};
const guint lamina_n_kernels_tensor = G_N_ELEMENTS (lamina_kernels_tensor);
