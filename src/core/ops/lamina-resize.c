/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-resize.c: Resize (ONNX opsets 10–19), Upsample, and TFLite's
 * ResizeBilinear and ResizeNearestNeighbor.
 *
 * Every resized axis gets a table: for each output index, `taps` input
 * indices and weights (nearest: one tap of weight 1). Coordinates follow the
 * ONNX reference implementation (onnx/backend/test/case/node/resize.py and
 * onnx/reference/ops/op_resize.py) for the ONNX operators, and TFLite's
 * reference kernels (reference_ops::ResizeBilinear, GetNearestNeighbor) —
 * float arithmetic included — for the TFLite ones; the two disagree on
 * rounding, so they are not unified. Opset < 11 and Upsample use ONNX
 * Runtime's rules (asymmetric coordinates, nearest = floor when enlarging,
 * ceil when shrinking), which the old specifications leave open.
 *
 * Nearest resizing is a pure gather (lamina_copy_gather: any dtype, memcpy
 * of contiguous runs). Linear and cubic run one separable float32 pass per
 * resized axis, shrinking axes first; -1 in a table marks an output point
 * outside tf_crop_and_resize's box (extrapolation_value).
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-resize.h"
#include "lamina-convert.h"
#include "lamina-tensor-copy.h"

typedef enum { MODE_NEAREST, MODE_LINEAR, MODE_CUBIC } Mode;

typedef enum {
  COORD_HALF_PIXEL,
  COORD_HALF_PIXEL_SYMMETRIC,
  COORD_PYTORCH_HALF_PIXEL,
  COORD_ALIGN_CORNERS,
  COORD_ASYMMETRIC,
  COORD_TF_HALF_PIXEL_FOR_NN,
  COORD_TF_CROP_AND_RESIZE,
  COORD_TFLITE,          /* TFLite's own rules, flags below */
} Coord;

typedef enum {
  NEAREST_ROUND_PREFER_FLOOR,
  NEAREST_ROUND_PREFER_CEIL,
  NEAREST_FLOOR,
  NEAREST_CEIL,
  NEAREST_SIMPLE,        /* opset < 11: floor when enlarging, ceil when shrinking */
} Nearest;

typedef struct {
  Mode     mode;
  Coord    coord;
  Nearest  nearest;
  double   cubic_a;
  gboolean exclude_outside;
  gboolean antialias;
  double   extrapolation;
  gboolean align_corners;        /* TFLite */
  gboolean half_pixel_centers;   /* TFLite */
  int      rank;
  gint64   in[LAMINA_MAX_RANK];
  gint64   out[LAMINA_MAX_RANK];
  double   scale[LAMINA_MAX_RANK];
  double   roi_start[LAMINA_MAX_RANK];
  double   roi_end[LAMINA_MAX_RANK];
} Spec;

typedef struct {
  int     taps;
  gint64 *index;    /* out × taps; index[j * taps] == -1: extrapolate */
  float  *weight;   /* out × taps */
} Table;

static const char *const coord_names[] = {
  "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
  "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize", NULL,
};
static const char *const nearest_names[] = {
  "round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL,
};
static const char *const mode_names[] = { "nearest", "linear", "cubic", NULL };

static gboolean
pick_name (const LaminaKernelCall *call, const char *attr, const char *fallback,
           const char *const *names, int *out, GError **error)
{
  const char *value = lamina_node_get_string (call->node, attr, fallback);

  for (int i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (value, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                             _("attribute %s = “%s” is not supported"), attr, value);
}

/* ---- reading the operators ----------------------------------------------- */

static gboolean
read_scales (const LaminaKernelCall *call, Spec *s, const LaminaValue *scales,
             const gint64 *axes, int n_axes, GError **error)
{
  if (scales->numel != n_axes)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("scales has %lld values for %d axes"), (long long) scales->numel, n_axes);
  for (int i = 0; i < n_axes; i++)
    {
      double f = lamina_value_get_double (scales, i);
      int a = (int) axes[i];

      if (!(f > 0) || !isfinite (f))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("scale %g is not positive"), f);
      s->scale[a] = f;
      s->out[a] = (gint64) floor ((double) s->in[a] * f);
    }
  return TRUE;
}

static gboolean
read_sizes (const LaminaKernelCall *call, Spec *s, const LaminaValue *sizes,
            const gint64 *axes, int n_axes, GError **error)
{
  const char *policy = lamina_node_get_string (call->node, "keep_aspect_ratio_policy", "stretch");
  double keep = 0;

  if (sizes->numel != n_axes)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("sizes has %lld values for %d axes"), (long long) sizes->numel, n_axes);
  for (int i = 0; i < n_axes; i++)
    {
      gint64 n = lamina_value_get_int (sizes, i);
      int a = (int) axes[i];

      if (n < 0 || (n > 0 && s->in[a] == 0))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("size %lld is invalid for an axis of %lld"),
                                   (long long) n, (long long) s->in[a]);
      s->out[a] = n;
      s->scale[a] = s->in[a] ? (double) n / (double) s->in[a] : 1;
      if (i == 0 || (strcmp (policy, "not_larger") == 0 ? s->scale[a] < keep : s->scale[a] > keep))
        keep = s->scale[a];
    }
  if (strcmp (policy, "stretch") == 0)
    return TRUE;
  if (strcmp (policy, "not_larger") != 0 && strcmp (policy, "not_smaller") != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute %s = “%s” is not supported"), "keep_aspect_ratio_policy", policy);
  /* one scale for all listed axes, sizes rounded half up (the reference) */
  for (int i = 0; i < n_axes; i++)
    {
      s->scale[axes[i]] = keep;
      s->out[axes[i]] = (gint64) (keep * (double) s->in[axes[i]] + 0.5);
    }
  return TRUE;
}

static gboolean
read_axes (const LaminaKernelCall *call, const Spec *s, gint64 *axes, int *n_axes, GError **error)
{
  guint n = 0;
  const gint64 *list = call->opset >= 18 ? lamina_node_get_ints (call->node, "axes", &n) : NULL;
  gboolean seen[LAMINA_MAX_RANK] = { FALSE };

  if (list == NULL)
    {
      for (int i = 0; i < s->rank; i++)
        axes[i] = i;
      *n_axes = s->rank;
      return TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 a = list[i] < 0 ? list[i] + s->rank : list[i];

      if (a < 0 || a >= s->rank || seen[a] || i >= LAMINA_MAX_RANK)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("axis %lld is invalid for rank %d"), (long long) list[i], s->rank);
      seen[a] = TRUE;
      axes[i] = a;
    }
  *n_axes = (int) n;
  return TRUE;
}

static gboolean
read_roi (const LaminaKernelCall *call, Spec *s, const LaminaValue *roi, const gint64 *axes,
          int n_axes, GError **error)
{
  if (s->coord != COORD_TF_CROP_AND_RESIZE)
    return TRUE;  /* roi only matters for tf_crop_and_resize */
  if (roi == NULL || roi->numel != 2 * n_axes)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("tf_crop_and_resize needs roi with 2 values per axis"));
  for (int i = 0; i < n_axes; i++)
    {
      s->roi_start[axes[i]] = lamina_value_get_double (roi, i);
      s->roi_end[axes[i]] = lamina_value_get_double (roi, n_axes + i);
    }
  return TRUE;
}

static gboolean
onnx_attributes (const LaminaKernelCall *call, Spec *s, gboolean old, GError **error)
{
  int mode, coord = COORD_ASYMMETRIC, nearest = NEAREST_SIMPLE;
  const char *m = lamina_node_get_string (call->node, "mode", "nearest");

  /* Upsample-1 spelled linear "bilinear" */
  if (!pick_name (call, "mode", g_ascii_strcasecmp (m, "bilinear") == 0 ? "linear" : "nearest",
                  mode_names, &mode, error))
    return FALSE;
  if (g_ascii_strcasecmp (m, "bilinear") == 0)
    mode = MODE_LINEAR;
  if (old && mode == MODE_CUBIC)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute %s = “%s” is not supported"), "mode", m);
  if (!old && (!pick_name (call, "coordinate_transformation_mode", "half_pixel", coord_names, &coord, error) ||
               !pick_name (call, "nearest_mode", "round_prefer_floor", nearest_names, &nearest, error)))
    return FALSE;
  s->mode = mode;
  s->coord = coord;
  s->nearest = nearest;
  s->cubic_a = lamina_node_get_float (call->node, "cubic_coeff_a", -0.75);
  s->exclude_outside = lamina_node_get_int (call->node, "exclude_outside", 0) != 0;
  s->extrapolation = lamina_node_get_float (call->node, "extrapolation_value", 0);
  s->antialias = call->opset >= 18 && lamina_node_get_int (call->node, "antialias", 0) != 0 && mode != MODE_NEAREST;
  return TRUE;
}

static gboolean
onnx_spec (const LaminaKernelCall *call, Spec *s, GError **error)
{
  gboolean upsample = strcmp (call->node->op_type, "Upsample") == 0;
  gboolean old = upsample || call->opset < 11;
  const LaminaValue *roi = NULL, *scales = NULL, *sizes = NULL;
  gint64 axes[LAMINA_MAX_RANK];
  int n_axes = 0;

  if (!onnx_attributes (call, s, old, error) || !read_axes (call, s, axes, &n_axes, error))
    return FALSE;
  if (old)
    scales = call->n_inputs > 1 ? call->inputs[1] : NULL;
  else
    {
      roi = call->n_inputs > 1 ? call->inputs[1] : NULL;
      scales = call->n_inputs > 2 ? call->inputs[2] : NULL;
      sizes = call->n_inputs > 3 ? call->inputs[3] : NULL;
    }
  if (scales != NULL && scales->numel == 0)
    scales = NULL;  /* opset 11 passes an empty scales beside sizes */
  if (sizes != NULL && sizes->numel == 0)
    sizes = NULL;
  if (upsample && call->opset < 9)
    {
      /* Upsample-7 keeps its scales in an attribute */
      guint n = 0;
      const LaminaAttr *attr = lamina_node_get_attr (call->node, "scales");

      if (attr == NULL || attr->type != LAMINA_ATTR_FLOATS || attr->n != (guint) s->rank)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("scales has %u values for %d axes"), attr ? attr->n : n, s->rank);
      for (int i = 0; i < s->rank; i++)
        {
          if (!(attr->floats[i] > 0))
            return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                       _("scale %g is not positive"), attr->floats[i]);
          /* the model stores float32: compute with that value, as ORT does */
          s->scale[i] = (float) attr->floats[i];
          s->out[i] = (gint64) floor ((double) s->in[i] * s->scale[i]);
        }
      return TRUE;
    }
  if ((scales == NULL) == (sizes == NULL))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("exactly one of scales and sizes must be given"));
  if (scales != NULL && !read_scales (call, s, scales, axes, n_axes, error))
    return FALSE;
  if (sizes != NULL && !read_sizes (call, s, sizes, axes, n_axes, error))
    return FALSE;
  return read_roi (call, s, roi, axes, n_axes, error);
}

static gboolean
tflite_spec (const LaminaKernelCall *call, Spec *s, GError **error)
{
  const LaminaValue *size = call->n_inputs > 1 ? call->inputs[1] : NULL;

  if (s->rank != 4 || size == NULL || size->numel != 2)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("needs a 4-D NHWC input and a size of 2 values"));
  s->mode = strcmp (call->node->op_type, "ResizeBilinear") == 0 ? MODE_LINEAR : MODE_NEAREST;
  s->coord = COORD_TFLITE;
  s->align_corners = lamina_node_get_int (call->node, "align_corners", 0) != 0;
  s->half_pixel_centers = lamina_node_get_int (call->node, "half_pixel_centers", 0) != 0;
  for (int i = 0; i < 2; i++)
    {
      gint64 n = lamina_value_get_int (size, i);

      if (n <= 0 || s->in[1 + i] == 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("size %lld is invalid for an axis of %lld"),
                                   (long long) n, (long long) s->in[1 + i]);
      s->out[1 + i] = n;
    }
  return TRUE;
}

static gboolean
read_spec (const LaminaKernelCall *call, Spec *s, GError **error)
{
  const LaminaValue *x = call->n_inputs > 0 ? call->inputs[0] : NULL;

  memset (s, 0, sizeof *s);
  if (x == NULL || call->n_outputs < 1)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("the data input is missing"));
  s->rank = x->rank;
  for (int i = 0; i < x->rank; i++)
    {
      s->in[i] = s->out[i] = x->dims[i];
      s->scale[i] = 1;
      s->roi_start[i] = 0;
      s->roi_end[i] = 1;
    }
  if (g_str_has_prefix (call->node->op_type, "Resize") && strcmp (call->node->op_type, "Resize") != 0)
    return tflite_spec (call, s, error);
  if (!onnx_spec (call, s, error))
    return FALSE;
  for (int i = 0; i < s->rank && s->antialias; i++)
    if (s->scale[i] < 1.0 / 512)  /* a filter of over 2000 taps: not a real model */
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                 _("scale %g is too small for antialiasing"), s->scale[i]);
  if (s->mode != MODE_NEAREST && (!lamina_convert_supported (x->dtype) || x->dtype == LAMINA_DTYPE_BOOL))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (x->dtype));
  return TRUE;
}

/* ---- tables ------------------------------------------------------------- */

/* ONNX: the input coordinate of output index x on axis a; FALSE when it
 * falls outside tf_crop_and_resize's box. */
static gboolean
onnx_coordinate (const Spec *s, int a, gint64 x, double *x_ori)
{
  double in = (double) s->in[a], scale = s->scale[a];
  /* the reference uses scale × input size, not the rounded output size */
  double out = scale * in;

  switch (s->coord)
    {
    case COORD_HALF_PIXEL:
      *x_ori = (x + 0.5) / scale - 0.5;
      return TRUE;
    case COORD_HALF_PIXEL_SYMMETRIC:
      {
        double offset = in / 2 * (1 - (double) s->out[a] / out);
        *x_ori = offset + (x + 0.5) / scale - 0.5;
        return TRUE;
      }
    case COORD_PYTORCH_HALF_PIXEL:
      *x_ori = s->out[a] > 1 ? (x + 0.5) / scale - 0.5 : 0;
      return TRUE;
    case COORD_ALIGN_CORNERS:
      *x_ori = out == 1 ? 0 : x * (in - 1) / (out - 1);
      return TRUE;
    case COORD_TF_HALF_PIXEL_FOR_NN:
      *x_ori = (x + 0.5) / scale;
      return TRUE;
    case COORD_TF_CROP_AND_RESIZE:
      {
        double r0 = s->roi_start[a], r1 = s->roi_end[a];

        *x_ori = out == 1 ? (r1 - r0) * (in - 1) / 2 : x * (r1 - r0) * (in - 1) / (out - 1);
        *x_ori += r0 * (in - 1);
        return *x_ori >= 0 && *x_ori <= in - 1;
      }
    case COORD_ASYMMETRIC:
    default:
      *x_ori = x / scale;
      return TRUE;
    }
}

static gint64
onnx_nearest (const Spec *s, int a, double x)
{
  double f = floor (x), r = x - f;
  gint64 i;

  switch (s->nearest)
    {
    case NEAREST_ROUND_PREFER_FLOOR: i = (gint64) (r <= 0.5 ? f : f + 1); break;
    case NEAREST_ROUND_PREFER_CEIL: i = (gint64) (r < 0.5 ? f : f + 1); break;
    case NEAREST_FLOOR: i = (gint64) f; break;
    case NEAREST_CEIL: i = (gint64) ceil (x); break;
    case NEAREST_SIMPLE:
    default:
      /* ONNX Runtime casts a float to int64 (truncation) when enlarging */
      i = s->scale[a] < 1 ? (gint64) ceil ((float) x) : (gint64) (float) x;
      break;
    }
  return CLAMP (i, 0, s->in[a] - 1);
}

static double
cubic_weight (double d, double A)
{
  d = fabs (d);
  if (d <= 1)
    return ((A + 2) * d - (A + 3)) * d * d + 1;
  if (d < 2)
    return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
  return 0;
}

/* Taps of a linear/cubic output point at x_ori: the ONNX reference's
 * neighbours of the edge-padded input (= clamped indices) and its
 * coefficients; antialiasing stretches the filter by 1 / scale. */
static void
onnx_taps (const Spec *s, int a, double x, gint64 *index, float *weight, int taps)
{
  double base = floor (x), ratio = x - base, sum = 0;
  g_autofree double *w = g_new (double, taps);
  double scale = s->antialias ? MIN (s->scale[a], 1) : 1;
  double support = s->mode == MODE_CUBIC ? 2 : 1;
  int start = (int) floor (-support / scale) + 1;

  for (int k = 0; k < taps; k++)
    {
      double d = (start + k - ratio) * scale;
      gint64 i = (gint64) base + start + k;

      w[k] = s->mode == MODE_CUBIC ? cubic_weight (d, s->cubic_a) : MAX (0, 1 - fabs (d));
      if (s->exclude_outside && (i < 0 || i >= s->in[a]))
        w[k] = 0;
      sum += w[k];
      index[k] = CLAMP (i, 0, s->in[a] - 1);
    }
  /* plain linear and cubic weights already sum to 1 */
  for (int k = 0; k < taps; k++)
    weight[k] = (float) ((s->antialias || s->exclude_outside) && sum != 0 ? w[k] / sum : w[k]);
}

static int
onnx_n_taps (const Spec *s, int a)
{
  double scale = s->antialias ? MIN (s->scale[a], 1) : 1;
  double support = s->mode == MODE_CUBIC ? 2 : 1;

  if (s->mode == MODE_NEAREST)
    return 1;
  return 2 - 2 * ((int) floor (-support / scale) + 1);
}

/* TFLite reference_ops, float arithmetic on purpose */
static void
tflite_entry (const Spec *s, int a, gint64 y, gint64 *index, float *weight)
{
  gint64 in = s->in[a], out = s->out[a];
  float scale = (s->align_corners && out > 1) ? (float) (in - 1) / (float) (out - 1) : (float) in / (float) out;

  if (s->mode == MODE_NEAREST)
    {
      float v = ((float) y + (s->half_pixel_centers ? 0.5f : 0.0f)) * scale;
      gint64 i = MIN (s->align_corners ? (gint64) roundf (v) : (gint64) floorf (v), in - 1);

      index[0] = s->half_pixel_centers ? MAX (0, i) : i;
      weight[0] = 1;
      return;
    }
  {
    float v = s->half_pixel_centers ? ((float) y + 0.5f) * scale - 0.5f : (float) y * scale;
    gint64 lo = MAX ((gint64) floorf (v), 0), hi = MIN ((gint64) ceilf (v), in - 1);

    index[0] = lo;
    index[1] = hi;
    weight[0] = 1 - (v - (float) lo);
    weight[1] = v - (float) lo;
  }
}

static void
table_clear (Table *t)
{
  g_clear_pointer (&t->index, g_free);
  g_clear_pointer (&t->weight, g_free);
}

/* FALSE when the axis maps every output index to the same input index with
 * weight 1 (nothing to do on it). */
static gboolean
build_table (const Spec *s, int a, Table *t)
{
  gint64 n = s->out[a];
  gboolean identity = s->in[a] == n;

  t->taps = s->coord == COORD_TFLITE ? (s->mode == MODE_NEAREST ? 1 : 2) : onnx_n_taps (s, a);
  t->index = g_new (gint64, MAX (n * t->taps, 1));
  t->weight = g_new (float, MAX (n * t->taps, 1));
  for (gint64 j = 0; j < n; j++)
    {
      gint64 *index = t->index + j * t->taps;
      float *weight = t->weight + j * t->taps;
      double x;

      if (s->coord == COORD_TFLITE)
        tflite_entry (s, a, j, index, weight);
      else if (!onnx_coordinate (s, a, j, &x))
        {
          for (int k = 0; k < t->taps; k++)
            index[k] = -1, weight[k] = 0;
        }
      else if (s->mode == MODE_NEAREST)
        index[0] = onnx_nearest (s, a, x), weight[0] = 1;
      else
        onnx_taps (s, a, x, index, weight, t->taps);
      for (int k = 0; k < t->taps && identity; k++)
        identity = weight[k] == 0 || (weight[k] == 1 && index[k] == j);
    }
  if (identity)
    table_clear (t);
  return !identity;
}

/* ---- nearest ------------------------------------------------------------ */

static gboolean
run_nearest (const LaminaKernelCall *call, const Spec *s, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  Table tables[LAMINA_MAX_RANK] = { { 0 } };
  const gint64 *index[LAMINA_MAX_RANK] = { NULL };
  guint8 fill[16] = { 0 };

  if (!lamina_store_double (fill, x->dtype, s->extrapolation) && s->coord == COORD_TF_CROP_AND_RESIZE)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("dtype %s is not supported"), lamina_dtype_name (x->dtype));
  for (int a = 0; a < s->rank; a++)
    if (build_table (s, a, &tables[a]))
      index[a] = tables[a].index;
  lamina_copy_gather (y->data, x->data, s->rank, s->out, s->in, index,
                      lamina_dtype_size (x->dtype), fill, call->parallel);
  for (int a = 0; a < s->rank; a++)
    table_clear (&tables[a]);
  return TRUE;
}

/* ---- linear and cubic ----------------------------------------------------- */

typedef struct {
  const Table *t;
  const float *src;
  float       *dst;
  gint64       n_in, n_out, inner;
  float        extrapolation;
} Pass;

static void
pass_line (const Pass *p, gint64 o, gint64 j)
{
  const gint64 *index = p->t->index + j * p->t->taps;
  const float *w = p->t->weight + j * p->t->taps, *base = p->src + o * p->n_in * p->inner;
  float *d = p->dst + (o * p->n_out + j) * p->inner;

  if (index[0] < 0)
    {
      for (gint64 i = 0; i < p->inner; i++)
        d[i] = p->extrapolation;
      return;
    }
  /* rows of `inner` floats blended with one weight each: vectorises */
  for (gint64 i = 0; i < p->inner; i++)
    d[i] = w[0] * base[index[0] * p->inner + i];
  for (int k = 1; k < p->t->taps; k++)
    {
      const float *row = base + index[k] * p->inner;
      float wk = w[k];

      if (wk != 0)
        for (gint64 i = 0; i < p->inner; i++)
          d[i] += wk * row[i];
    }
}

static void
pass_body (gint64 begin, gint64 end, gpointer data)
{
  const Pass *p = data;

  if (p->inner == 1)
    {
      /* the last axis: one work item per outer row, a dot product per point */
      for (gint64 o = begin; o < end; o++)
        for (gint64 j = 0; j < p->n_out; j++)
          {
            const gint64 *index = p->t->index + j * p->t->taps;
            const float *w = p->t->weight + j * p->t->taps, *base = p->src + o * p->n_in;
            float acc = 0;

            if (index[0] < 0)
              acc = p->extrapolation;
            else
              for (int k = 0; k < p->t->taps; k++)
                acc += w[k] * base[index[k]];
            p->dst[o * p->n_out + j] = acc;
          }
      return;
    }
  for (gint64 w = begin; w < end; w++)
    pass_line (p, w / p->n_out, w % p->n_out);
}

static void
run_pass (const Spec *s, LaminaParallel *parallel, const Table *t, int a, const gint64 *dims,
          const float *src, float *dst)
{
  Pass p = { t, src, dst, dims[a], s->out[a], 1, (float) s->extrapolation };
  gint64 outer = 1, items;

  for (int i = 0; i < a; i++)
    outer *= dims[i];
  for (int i = a + 1; i < s->rank; i++)
    p.inner *= dims[i];
  items = p.inner == 1 ? outer : outer * p.n_out;
  if (items * p.n_out * p.inner < 65536 || lamina_parallel_threads (parallel) < 2)
    pass_body (0, items, &p);
  else
    lamina_parallel_for (parallel, items, MAX (1, 16384 / (p.inner == 1 ? p.n_out : p.inner)), pass_body, &p);
}

static int
compare_growth (const void *pa, const void *pb, gpointer data)
{
  const Spec *s = data;
  int a = *(const int *) pa, b = *(const int *) pb;
  double ga = (double) s->out[a] / MAX (s->in[a], 1), gb = (double) s->out[b] / MAX (s->in[b], 1);

  return ga < gb ? -1 : ga > gb ? 1 : a - b;
}

static gboolean
run_interpolate (const LaminaKernelCall *call, const Spec *s, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  Table tables[LAMINA_MAX_RANK] = { { 0 } };
  int order[LAMINA_MAX_RANK], n_passes = 0;
  gint64 dims[LAMINA_MAX_RANK], most = x->numel;
  g_autofree float *a = NULL, *b = NULL;

  for (int i = 0; i < s->rank; i++)
    if (build_table (s, i, &tables[i]))
      order[n_passes++] = i;
  /* shrinking axes first keeps the intermediate tensors small */
  g_qsort_with_data (order, n_passes, sizeof order[0], compare_growth, (gpointer) s);
  /* the largest intermediate tensor sizes the two ping-pong buffers */
  memcpy (dims, s->in, sizeof dims);
  for (int k = 0, n = 0; k < n_passes; k++)
    {
      gint64 numel = 1;

      dims[order[k]] = s->out[order[k]];
      for (n = 0; n < s->rank; n++)
        numel *= dims[n];
      most = MAX (most, numel);
    }
  a = g_try_new (float, MAX (most, 1));
  b = g_try_new (float, MAX (most, 1));
  if (a == NULL || b == NULL)
    {
      for (int i = 0; i < s->rank; i++)
        table_clear (&tables[i]);
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("out of memory"));
    }
  lamina_convert (a, LAMINA_DTYPE_FLOAT32, x->data, x->dtype, x->numel);
  memcpy (dims, s->in, sizeof dims);
  for (int k = 0; k < n_passes; k++)
    {
      float *swap;

      run_pass (s, call->parallel, &tables[order[k]], order[k], dims, a, b);
      dims[order[k]] = s->out[order[k]];
      swap = a, a = b, b = swap;
    }
  /* integers truncate like the reference's astype */
  lamina_convert (y->data, y->dtype, a, LAMINA_DTYPE_FLOAT32, y->numel);
  for (int i = 0; i < s->rank; i++)
    table_clear (&tables[i]);
  return TRUE;
}

/* ---- kernel entry points -------------------------------------------------- */

gboolean
lamina_resize_reshape (LaminaKernelCall *call, GError **error)
{
  Spec s;

  if (!read_spec (call, &s, error))
    return FALSE;
  if (call->outputs[0] == NULL)
    return TRUE;
  return lamina_value_set_shape (call->outputs[0], call->inputs[0]->dtype, s.rank, s.out, error);
}

gboolean
lamina_resize_run (LaminaKernelCall *call, GError **error)
{
  Spec s;

  if (!read_spec (call, &s, error))
    return FALSE;
  if (call->outputs[0] == NULL || call->outputs[0]->numel == 0)
    return TRUE;
  if (s.mode == MODE_NEAREST)
    return run_nearest (call, &s, error);
  return run_interpolate (call, &s, error);
}
