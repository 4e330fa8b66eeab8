/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-conv.c: kernels of the conv family (see lamina-kernel.h):
 * Conv, ConvTranspose, pools, Gemm, MatMul and the TFLite builtins that
 * share their arithmetic (Conv2D, DepthwiseConv2D, TransposeConv,
 * MaxPool2D, AveragePool2D, FullyConnected, BatchMatMul).
 *
 * Each kernel turns its attributes into a LaminaConvGeom (layouts as
 * strides) or a matrix product and calls the shared routines of
 * lamina-conv.c / lamina-conv-pool.c / lamina-gemm.c. Constant filters are
 * packed for the GEMM once, in prepare.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-kernel.h"
#include "lamina-kernel-check.h"
#include "lamina-conv.h"

#define SP LAMINA_CONV_MAX_SPATIAL

/* Every kernel here computes in float32; other dtypes are refused up front. */
static gboolean
check_float (const LaminaKernelCall *call, guint i, GError **error)
{
  if (i < call->n_inputs && call->inputs[i] != NULL && call->inputs[i]->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail_dtype (call, i, error);
  return TRUE;
}

static gboolean
fail_rank (const LaminaKernelCall *call, guint i, const char *expected, GError **error)
{
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("input %u: expected rank %s, got %d"), i,
                             expected, call->inputs[i]->rank);
}

static gboolean
fail_attr (const LaminaKernelCall *call, const char *name, GError **error)
{
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("attribute “%s” is invalid"), name);
}

static gboolean
fail_shapes (const LaminaKernelCall *call, guint i, guint j, GError **error)
{
  g_autofree char *a = lamina_value_describe (call->inputs[i]);
  g_autofree char *b = lamina_value_describe (call->inputs[j]);
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("inputs %s and %s do not fit together"), a, b);
}

static const float *
optional_data (const LaminaKernelCall *call, guint i)
{
  return i < call->n_inputs && call->inputs[i] != NULL ? LAMINA_VALUE_F32 (call->inputs[i]) : NULL;
}

/* A float32 input available at plan time (prepare): the engine passes
 * constants only, which includes values it computed at plan time (a
 * Dequantize of float16 weights) and weights it rewrote (a folded
 * BatchNormalization), so the tensor's is_constant is not the test. */
static const LaminaValue *
constant_input (const LaminaKernelCall *call, guint i)
{
  if (i >= call->n_inputs || call->inputs[i] == NULL || call->inputs[i]->data == NULL
      || call->inputs[i]->dtype != LAMINA_DTYPE_FLOAT32)
    return NULL;
  return call->inputs[i];
}

/* ---- attributes ------------------------------------------------------------ */

/* An INTS attribute of `n` entries, each >= min, or the default when absent. */
static gboolean
spatial_attr (const LaminaKernelCall *call, const char *name, int n, gint64 min, gint64 def, gint64 *out,
              GError **error)
{
  guint len;
  const gint64 *v = lamina_node_get_ints (call->node, name, &len);

  for (int i = 0; i < n; i++)
    out[i] = def;
  if (v == NULL)
    return TRUE;
  if ((int) len != n)
    return fail_attr (call, name, error);
  for (int i = 0; i < n; i++)
    {
      if (v[i] < min || v[i] > G_MAXINT32)
        return fail_attr (call, name, error);
      out[i] = v[i];
    }
  return TRUE;
}

/* TFLite's fused_activation_function as a clamp. */
static gboolean
tflite_activation (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const char *act = lamina_node_get_string (call->node, "fused_activation_function", "NONE");

  g->lo = -INFINITY;
  g->hi = INFINITY;
  if (g_str_equal (act, "RELU"))
    g->lo = 0.0f;
  else if (g_str_equal (act, "RELU6"))
    g->lo = 0.0f, g->hi = 6.0f;
  else if (g_str_equal (act, "RELU_N1_TO_1"))
    g->lo = -1.0f, g->hi = 1.0f;
  else if (!g_str_equal (act, "NONE"))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute “%s” value “%s” is not supported"), "fused_activation_function", act);
  return TRUE;
}

/* Output extents and begin padding of an ONNX Conv or pool from auto_pad /
 * pads; pad_end may be NULL. */
static gboolean
onnx_padding (const LaminaKernelCall *call, LaminaConvGeom *g, gboolean ceil_mode, gint64 *pad_end, GError **error)
{
  const char *auto_pad = lamina_node_get_string (call->node, "auto_pad", "NOTSET");
  gint64 pads[2 * SP], end[SP];

  if (!spatial_attr (call, "pads", 2 * g->nsp, 0, 0, pads, error))
    return FALSE;
  for (int d = 0; d < g->nsp; d++)
    {
      if (g_str_equal (auto_pad, "NOTSET"))
        {
          g->pad[d] = pads[d];
          end[d] = pads[g->nsp + d];
          g->out[d] = lamina_conv_out_size (g->in[d], g->k[d], g->stride[d], g->dil[d], g->pad[d], end[d], ceil_mode);
        }
      else if (g_str_equal (auto_pad, "VALID") || g_str_equal (auto_pad, "SAME_UPPER")
               || g_str_equal (auto_pad, "SAME_LOWER"))
        g->out[d] = lamina_conv_auto_pad (auto_pad, g->in[d], g->k[d], g->stride[d], g->dil[d], &g->pad[d], &end[d]);
      else
        return fail_attr (call, "auto_pad", error);
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
      if (pad_end)
        pad_end[d] = end[d];
    }
  return TRUE;
}

/* TFLite padding ("SAME" / "VALID") of a 2-D NHWC op. */
static gboolean
tflite_padding (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const char *padding = lamina_node_get_string (call->node, "padding", "SAME");
  gint64 end;

  if (!g_str_equal (padding, "SAME") && !g_str_equal (padding, "VALID"))
    return fail_attr (call, "padding", error);
  for (int d = 0; d < 2; d++)
    {
      g->out[d] = lamina_conv_auto_pad (g_str_equal (padding, "SAME") ? "SAME_UPPER" : "VALID", g->in[d], g->k[d],
                                        g->stride[d], g->dil[d], &g->pad[d], &end);
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
    }
  return TRUE;
}

/* stride_h/stride_w and dilation_h_factor/dilation_w_factor of TFLite. */
static gboolean
tflite_strides (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  g->stride[0] = lamina_node_get_int (call->node, "stride_h", 1);
  g->stride[1] = lamina_node_get_int (call->node, "stride_w", 1);
  g->dil[0] = lamina_node_get_int (call->node, "dilation_h_factor", 1);
  g->dil[1] = lamina_node_get_int (call->node, "dilation_w_factor", 1);
  for (int d = 0; d < 2; d++)
    if (g->stride[d] < 1 || g->stride[d] > G_MAXINT32 || g->dil[d] < 1 || g->dil[d] > G_MAXINT32)
      return fail_attr (call, g->stride[d] < 1 || g->stride[d] > G_MAXINT32 ? "stride" : "dilation", error);
  return TRUE;
}

static gboolean
set_output (const LaminaKernelCall *call, guint i, LaminaDType dtype, int rank, const gint64 *dims, GError **error)
{
  if (i >= call->n_outputs || call->outputs[i] == NULL)
    return TRUE;
  if (!lamina_value_set_shape (call->outputs[i], dtype, rank, dims, error))
    return FALSE;
  return TRUE;
}

/* Output [N, C, spatial...] (NCHW) or [N, spatial..., C] (NHWC). */
static gboolean
set_conv_output (const LaminaKernelCall *call, const LaminaConvGeom *g, GError **error)
{
  gint64 dims[2 + SP];

  dims[0] = g->batch;
  dims[g->channels_last ? g->nsp + 1 : 1] = g->cout;
  for (int d = 0; d < g->nsp; d++)
    dims[d + (g->channels_last ? 1 : 2)] = g->out[d];
  return set_output (call, 0, LAMINA_DTYPE_FLOAT32, g->nsp + 2, dims, error);
}

/* ---- packed filter state ------------------------------------------------------ */

typedef struct {
  LaminaConvPacked *packed;
  LaminaGemmPacked *gemm;     /* MatMul / FullyConnected: packed B */
  gint64            cin, cout, group, k[SP];
  const void       *data;     /* the filter it was packed from */
} PackedState;

static void
packed_state_free (gpointer data)
{
  PackedState *st = data;

  lamina_conv_packed_free (st->packed);
  lamina_gemm_packed_free (st->gemm);
  g_free (st);
}

/* The packed filter if it was made from this filter for this geometry. */
static const LaminaConvPacked *
state_packed (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *w)
{
  const PackedState *st = call->state;

  if (st == NULL || st->packed == NULL || st->data != w->data || st->cin != g->cin || st->cout != g->cout
      || st->group != g->group || memcmp (st->k, g->k, sizeof st->k) != 0)
    return NULL;
  return st->packed;
}

static gboolean
prepare_packed (const LaminaKernelCall *call, const LaminaConvGeom *g, const LaminaValue *w, gboolean transpose,
                gpointer *state)
{
  PackedState *st;
  LaminaConvPacked *packed = lamina_conv_pack (g, LAMINA_VALUE_F32 (w), transpose);

  if (packed == NULL)
    return TRUE;
  st = g_new0 (PackedState, 1);
  st->packed = packed;
  st->cin = g->cin;
  st->cout = g->cout;
  st->group = g->group;
  memcpy (st->k, g->k, sizeof st->k);
  st->data = w->data;
  *state = st;
  return TRUE;
}

/* ---- ONNX Conv / ConvTranspose ------------------------------------------------ */

/* Filter-only part of an ONNX Conv/ConvTranspose geometry (OIHW or IOHW,
 * dense); x may be NULL in prepare (spatial input extents unknown). */
static gboolean
onnx_filter_geom (const LaminaKernelCall *call, const LaminaValue *x, const LaminaValue *w, gboolean transpose,
                  LaminaConvGeom *g, GError **error)
{
  gint64 ks = 1, kshape[SP];
  guint nk;

  memset (g, 0, sizeof *g);
  if (w->rank < 3 || w->rank > 2 + SP)
    return fail_rank (call, 1, "3…5", error);
  if (x != NULL && x->rank != w->rank)
    return fail_shapes (call, 0, 1, error);
  g->nsp = w->rank - 2;
  g->group = lamina_node_get_int (call->node, "group", 1);
  if (g->group < 1 || g->group > G_MAXINT32)
    return fail_attr (call, "group", error);
  g->cin = transpose ? w->dims[0] : w->dims[1] * g->group;
  g->cout = transpose ? w->dims[1] * g->group : w->dims[0];
  if (g->cin == 0 || g->cout % g->group != 0 || g->cin % g->group != 0 || (x != NULL && x->dims[1] != g->cin))
    return fail_shapes (call, 0, 1, error);
  if (lamina_node_get_ints (call->node, "kernel_shape", &nk) != NULL
      && (!spatial_attr (call, "kernel_shape", g->nsp, 1, 1, kshape, error)
          || memcmp (kshape, w->dims + 2, g->nsp * sizeof (gint64)) != 0))
    return fail_attr (call, "kernel_shape", error);
  for (int d = 0; d < g->nsp; d++)
    g->k[d] = w->dims[2 + d];
  if (!spatial_attr (call, "strides", g->nsp, 1, 1, g->stride, error)
      || !spatial_attr (call, "dilations", g->nsp, 1, 1, g->dil, error))
    return FALSE;
  g->batch = x ? x->dims[0] : 1;
  for (int d = 0; d < g->nsp; d++)
    g->in[d] = g->out[d] = x ? x->dims[2 + d] : 1;
  lamina_conv_geom_dense (g, FALSE);
  for (int d = SP - 1; d >= 0; d--)
    {
      g->w_sp[d] = d < g->nsp ? ks : 0;
      ks *= g->k[d];
    }
  g->w_i = transpose ? (g->cout / g->group) * ks : ks;
  g->w_o = transpose ? ks : (g->cin / g->group) * ks;
  g->lo = -INFINITY;
  g->hi = INFINITY;
  return TRUE;
}

static gboolean
check_bias (const LaminaKernelCall *call, guint i, gint64 n, GError **error)
{
  const LaminaValue *b = i < call->n_inputs ? call->inputs[i] : NULL;

  if (b != NULL && (b->rank != 1 || b->dims[0] != n))
    return fail_shapes (call, 0, i, error);
  return check_float (call, i, error);
}

static gboolean
conv_geom (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const LaminaValue *x, *w;

  if (!lamina_kernel_check_inputs (call, 2, 3, error) || !check_float (call, 0, error) || !check_float (call, 1, error))
    return FALSE;
  x = call->inputs[0];
  w = call->inputs[1];
  if (!onnx_filter_geom (call, x, w, FALSE, g, error) || !check_bias (call, 2, g->cout, error))
    return FALSE;
  if (!onnx_padding (call, g, FALSE, NULL, error))
    return FALSE;
  lamina_conv_geom_dense (g, FALSE);
  lamina_kernel_fused_clamp (call, &g->lo, &g->hi);
  return TRUE;
}

static gboolean
conv_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *w = constant_input (call, 1);
  LaminaConvGeom g;

  /* a broken filter is reported by reshape, with the input's shape known */
  if (w == NULL || !onnx_filter_geom (call, NULL, w, FALSE, &g, NULL))
    return TRUE;
  return prepare_packed (call, &g, w, FALSE, state);
}

static gboolean
conv_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  return conv_geom (call, &g, error) && set_conv_output (call, &g, error);
}

static gboolean
conv_run (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  if (!conv_geom (call, &g, error))
    return FALSE;
  lamina_conv_fast (call->parallel, &g, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->inputs[1]),
                    state_packed (call, &g, call->inputs[1]), optional_data (call, 2), LAMINA_VALUE_F32 (call->outputs[0]));
  return TRUE;
}

/* Python's floor division, for ConvTranspose's possibly negative padding. */
static gint64
floor_div2 (gint64 v)
{
  return v >= 0 ? v / 2 : -((-v + 1) / 2);
}

static gboolean
conv_transpose_extents (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const char *auto_pad = lamina_node_get_string (call->node, "auto_pad", "NOTSET");
  gint64 opad[SP], pads[2 * SP], oshape[SP + 2];
  guint n_oshape = 0;
  const gint64 *os = lamina_node_get_ints (call->node, "output_shape", &n_oshape);
  gboolean same = g_str_equal (auto_pad, "SAME_UPPER") || g_str_equal (auto_pad, "SAME_LOWER");

  if (!same && !g_str_equal (auto_pad, "NOTSET") && !g_str_equal (auto_pad, "VALID"))
    return fail_attr (call, "auto_pad", error);
  if (!spatial_attr (call, "output_padding", g->nsp, 0, 0, opad, error)
      || !spatial_attr (call, "pads", 2 * g->nsp, G_MININT32, 0, pads, error))
    return FALSE;
  /* output_shape holds the spatial extents (some exporters add N and C) */
  if (os != NULL && (int) n_oshape != g->nsp && (int) n_oshape != g->nsp + 2)
    return fail_attr (call, "output_shape", error);
  for (int d = 0; d < g->nsp; d++)
    {
      gint64 full = g->stride[d] * (g->in[d] - 1) + opad[d] + (g->k[d] - 1) * g->dil[d] + 1;
      if (opad[d] >= MAX (g->stride[d], g->dil[d]))
        return fail_attr (call, "output_padding", error);
      if (os != NULL || same)
        {
          gint64 total;
          oshape[d] = os != NULL ? os[n_oshape - g->nsp + d] : g->in[d] * g->stride[d];
          total = full - oshape[d];
          g->pad[d] = g_str_equal (auto_pad, "SAME_UPPER") ? floor_div2 (total) : total - floor_div2 (total);
          g->out[d] = oshape[d];
        }
      else
        {
          g->pad[d] = g_str_equal (auto_pad, "VALID") ? 0 : pads[d];
          g->out[d] = full - g->pad[d] - (g_str_equal (auto_pad, "VALID") ? 0 : pads[g->nsp + d]);
        }
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
    }
  return TRUE;
}

static gboolean
conv_transpose_geom (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  if (!lamina_kernel_check_inputs (call, 2, 3, error) || !check_float (call, 0, error) || !check_float (call, 1, error))
    return FALSE;
  if (!onnx_filter_geom (call, call->inputs[0], call->inputs[1], TRUE, g, error)
      || !check_bias (call, 2, g->cout, error) || !conv_transpose_extents (call, g, error))
    return FALSE;
  lamina_conv_geom_dense (g, FALSE);
  lamina_kernel_fused_clamp (call, &g->lo, &g->hi);
  return TRUE;
}

static gboolean
conv_transpose_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *w = constant_input (call, 1);
  LaminaConvGeom g;

  if (w == NULL || !onnx_filter_geom (call, NULL, w, TRUE, &g, NULL))
    return TRUE;
  return prepare_packed (call, &g, w, TRUE, state);
}

static gboolean
conv_transpose_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  return conv_transpose_geom (call, &g, error) && set_conv_output (call, &g, error);
}

static gboolean
conv_transpose_run (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  if (!conv_transpose_geom (call, &g, error))
    return FALSE;
  lamina_conv_transpose_fast (call->parallel, &g, LAMINA_VALUE_F32 (call->inputs[0]),
                              LAMINA_VALUE_F32 (call->inputs[1]), state_packed (call, &g, call->inputs[1]),
                              optional_data (call, 2), LAMINA_VALUE_F32 (call->outputs[0]));
  return TRUE;
}

/* ---- TFLite Conv2D / DepthwiseConv2D / TransposeConv ------------------------------ */

/* NHWC input x (input xi) and filter w [O, H, W, I] (OHWI, or 1HWO when
 * depthwise); x may be NULL in prepare. */
static gboolean
tflite_conv_geom (const LaminaKernelCall *call, guint xi, gboolean depthwise, LaminaConvGeom *g, GError **error)
{
  const LaminaValue *x = call->inputs[xi], *w = call->inputs[1];

  memset (g, 0, sizeof *g);
  if (w->rank != 4)
    return fail_rank (call, 1, "4", error);
  if (x != NULL && x->rank != 4)
    return fail_rank (call, xi, "4", error);
  g->nsp = 2;
  g->k[0] = w->dims[1];
  g->k[1] = w->dims[2];
  g->batch = x ? x->dims[0] : 1;
  g->cin = x ? x->dims[3] : w->dims[3];
  g->cout = depthwise ? w->dims[3] : w->dims[0];
  if (depthwise)
    {
      /* depth_multiplier may be 0 in files: the filter's shape decides */
      if (w->dims[0] != 1 || g->cin == 0 || g->cout % g->cin != 0)
        return fail_shapes (call, xi, 1, error);
      g->group = g->cin;
      g->w_o = 1, g->w_i = 0, g->w_sp[0] = g->k[1] * g->cout, g->w_sp[1] = g->cout;
    }
  else
    {
      if (w->dims[3] == 0 || g->cin % w->dims[3] != 0 || g->cout % (g->cin / w->dims[3]) != 0)
        return fail_shapes (call, xi, 1, error);
      g->group = g->cin / w->dims[3];
      g->w_o = g->k[0] * g->k[1] * w->dims[3], g->w_i = 1, g->w_sp[0] = g->k[1] * w->dims[3], g->w_sp[1] = w->dims[3];
    }
  for (int d = 0; d < 2; d++)
    g->in[d] = g->out[d] = x ? x->dims[1 + d] : 1;
  if (!tflite_strides (call, g, error) || !tflite_activation (call, g, error))
    return FALSE;
  lamina_conv_geom_dense (g, TRUE);
  return TRUE;
}

static gboolean
tflite_conv_full_geom (const LaminaKernelCall *call, gboolean depthwise, LaminaConvGeom *g, GError **error)
{
  if (!lamina_kernel_check_inputs (call, 2, 3, error) || !check_float (call, 0, error) || !check_float (call, 1, error))
    return FALSE;
  if (!tflite_conv_geom (call, 0, depthwise, g, error) || !check_bias (call, 2, g->cout, error)
      || !tflite_padding (call, g, error))
    return FALSE;
  lamina_conv_geom_dense (g, TRUE);
  lamina_kernel_fused_clamp (call, &g->lo, &g->hi);
  return TRUE;
}

static gboolean
tflite_conv_prepare_any (LaminaKernelCall *call, gpointer *state, gboolean depthwise)
{
  const LaminaValue *w = constant_input (call, 1);
  const LaminaValue *saved = call->n_inputs > 0 ? call->inputs[0] : NULL;
  LaminaConvGeom g;
  gboolean ok;

  if (w == NULL || call->n_inputs < 2)
    return TRUE;
  /* filter-only geometry: pretend the input is unknown */
  call->inputs[0] = NULL;
  ok = tflite_conv_geom (call, 0, depthwise, &g, NULL);
  call->inputs[0] = saved;
  return ok && !depthwise ? prepare_packed (call, &g, w, FALSE, state) : TRUE;
}

static gboolean
conv2d_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  return tflite_conv_prepare_any (call, state, FALSE);
}

static gboolean
conv2d_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  return tflite_conv_full_geom (call, FALSE, &g, error) && set_conv_output (call, &g, error);
}

static gboolean
tflite_conv_run (LaminaKernelCall *call, gboolean depthwise, GError **error)
{
  LaminaConvGeom g;

  if (!tflite_conv_full_geom (call, depthwise, &g, error))
    return FALSE;
  lamina_conv_fast (call->parallel, &g, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->inputs[1]),
                    state_packed (call, &g, call->inputs[1]), optional_data (call, 2), LAMINA_VALUE_F32 (call->outputs[0]));
  return TRUE;
}

static gboolean
conv2d_run (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_run (call, FALSE, error);
}

static gboolean
depthwise_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  return tflite_conv_full_geom (call, TRUE, &g, error) && set_conv_output (call, &g, error);
}

static gboolean
depthwise_run (LaminaKernelCall *call, GError **error)
{
  return tflite_conv_run (call, TRUE, error);
}

/* TransposeConv: inputs output_shape (int32 [4]), filter OHWI, x NHWC, bias. */
static gboolean
transpose_conv_geom (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const LaminaValue *shape;
  gint64 ci;

  if (!lamina_kernel_check_inputs (call, 3, 4, error) || !check_float (call, 1, error) || !check_float (call, 2, error))
    return FALSE;
  shape = call->inputs[0];
  if (shape->rank != 1 || shape->numel != 4 || !lamina_dtype_is_integer (shape->dtype) || shape->data == NULL)
    return fail_rank (call, 0, "1", error);
  if (!tflite_conv_geom (call, 2, FALSE, g, error))
    return FALSE;
  /* tflite_conv_geom read the filter as a forward conv; turn it around */
  ci = call->inputs[1]->dims[3];
  if (ci != g->cin || g->group != 1 || lamina_value_get_int (shape, 0) != g->batch
      || lamina_value_get_int (shape, 3) != call->inputs[1]->dims[0])
    return fail_shapes (call, 0, 1, error);
  g->cout = call->inputs[1]->dims[0];
  g->w_i = 1, g->w_o = g->k[0] * g->k[1] * ci;
  g->dil[0] = g->dil[1] = 1;
  for (int d = 0; d < 2; d++)
    {
      gint64 total;
      g->out[d] = lamina_value_get_int (shape, 1 + d);
      if (g->out[d] < 0 || g->out[d] > G_MAXINT32)
        return fail_shapes (call, 0, 2, error);
      total = MAX (0, (g->in[d] - 1) * g->stride[d] + g->k[d] - g->out[d]);
      g->pad[d] = g_str_equal (lamina_node_get_string (call->node, "padding", "SAME"), "VALID") ? 0 : total / 2;
    }
  if (!check_bias (call, 3, g->cout, error))
    return FALSE;
  lamina_conv_geom_dense (g, TRUE);
  lamina_kernel_fused_clamp (call, &g->lo, &g->hi);
  return TRUE;
}

static gboolean
transpose_conv_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  return transpose_conv_geom (call, &g, error) && set_conv_output (call, &g, error);
}

static gboolean
transpose_conv_run (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;

  if (!transpose_conv_geom (call, &g, error))
    return FALSE;
  /* NHWC has no GEMM path for the transpose (no shared model uses it) */
  lamina_conv_transpose_reference (&g, LAMINA_VALUE_F32 (call->inputs[2]), LAMINA_VALUE_F32 (call->inputs[1]),
                                   optional_data (call, 3), LAMINA_VALUE_F32 (call->outputs[0]));
  return TRUE;
}

/* ---- pools ---------------------------------------------------------------------- */

/* MaxPool also takes int8 / uint8 (opset 12): the maximum is exact in float32. */
static gboolean
is_byte_max_pool (const LaminaKernelCall *call)
{
  LaminaDType t = call->inputs[0]->dtype;
  return g_str_equal (call->node->op_type, "MaxPool") && (t == LAMINA_DTYPE_INT8 || t == LAMINA_DTYPE_UINT8);
}

/* One loop per type, so that both vectorise. */
LAMINA_VECTOR_CLONES static void
bytes_to_float (LaminaDType t, const void *src, float *dst, gint64 n)
{
  if (t == LAMINA_DTYPE_INT8)
    for (gint64 i = 0; i < n; i++)
      dst[i] = ((const gint8 *) src)[i];
  else
    for (gint64 i = 0; i < n; i++)
      dst[i] = ((const guint8 *) src)[i];
}

LAMINA_VECTOR_CLONES static void
float_to_bytes (LaminaDType t, const float *src, void *dst, gint64 n)
{
  if (t == LAMINA_DTYPE_INT8)
    for (gint64 i = 0; i < n; i++)
      ((gint8 *) dst)[i] = (gint8) (gint32) src[i];
  else
    for (gint64 i = 0; i < n; i++)
      ((guint8 *) dst)[i] = (guint8) (gint32) src[i];
}

/* ONNX MaxPool / AveragePool / LpPool over NCHW. */
static gboolean
onnx_pool_geom (const LaminaKernelCall *call, LaminaConvGeom *g, LaminaPoolParams *pp, GError **error)
{
  const LaminaValue *x;
  const char *op = call->node->op_type;
  gboolean ceil_mode = lamina_node_get_int (call->node, "ceil_mode", 0) != 0;

  memset (g, 0, sizeof *g);
  memset (pp, 0, sizeof *pp);
  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!is_byte_max_pool (call) && !check_float (call, 0, error))
    return FALSE;
  if (x->rank < 3 || x->rank > 2 + SP)
    return fail_rank (call, 0, "3…5", error);
  g->nsp = x->rank - 2;
  g->batch = x->dims[0];
  g->cin = g->cout = g->group = x->dims[1];
  for (int d = 0; d < g->nsp; d++)
    g->in[d] = x->dims[2 + d];
  if (lamina_node_get_attr (call->node, "kernel_shape") == NULL)
    return fail_attr (call, "kernel_shape", error);
  if (!spatial_attr (call, "kernel_shape", g->nsp, 1, 1, g->k, error)
      || !spatial_attr (call, "strides", g->nsp, 1, 1, g->stride, error)
      || !spatial_attr (call, "dilations", g->nsp, 1, 1, g->dil, error))
    return FALSE;
  if (g_str_equal (op, "MaxPool"))
    pp->mode = LAMINA_POOL_MAX, pp->column_major = lamina_node_get_int (call->node, "storage_order", 0) != 0;
  else if (g_str_equal (op, "LpPool"))
    pp->mode = LAMINA_POOL_LP, pp->p = (double) lamina_node_get_int (call->node, "p", 2);
  else
    pp->mode = lamina_node_get_int (call->node, "count_include_pad", 0) ? LAMINA_POOL_AVERAGE_WITH_PAD
                                                                          : LAMINA_POOL_AVERAGE;
  if (pp->mode == LAMINA_POOL_LP && pp->p < 1)
    return fail_attr (call, "p", error);
  if (!onnx_padding (call, g, ceil_mode, pp->pad_end, error))
    return FALSE;
  lamina_conv_geom_dense (g, FALSE);
  g->lo = -INFINITY;
  g->hi = INFINITY;
  return TRUE;
}

static gboolean
pool_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;
  LaminaPoolParams pp;
  gint64 dims[2 + SP];

  if (!onnx_pool_geom (call, &g, &pp, error) || !set_conv_output (call, &g, error))
    return FALSE;
  if (call->outputs[0] != NULL)
    call->outputs[0]->dtype = call->inputs[0]->dtype;
  dims[0] = g.batch, dims[1] = g.cout;
  memcpy (dims + 2, g.out, g.nsp * sizeof (gint64));
  return set_output (call, 1, LAMINA_DTYPE_INT64, g.nsp + 2, dims, error);
}

static gboolean
pool_run (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;
  LaminaPoolParams pp;
  gint64 *indices = call->n_outputs > 1 && call->outputs[1] ? call->outputs[1]->data : NULL;
  const LaminaValue *x = call->inputs[0];
  g_autofree float *xf = NULL, *yf = NULL;

  if (!onnx_pool_geom (call, &g, &pp, error))
    return FALSE;
  if (x->dtype == LAMINA_DTYPE_FLOAT32)
    {
      lamina_pool (call->parallel, &g, &pp, LAMINA_VALUE_F32 (x), LAMINA_VALUE_F32 (call->outputs[0]), indices);
      return TRUE;
    }
  if (indices == NULL && lamina_pool_max_bytes_applies (&g) && g_getenv ("LAMINA_INT8_REFERENCE") == NULL)
    {
      lamina_pool_max_bytes (call->parallel, &g, x->data, x->dtype == LAMINA_DTYPE_INT8, call->outputs[0]->data);
      return TRUE;
    }
  xf = g_new (float, MAX (x->numel, 1));
  yf = g_new (float, MAX (call->outputs[0]->numel, 1));
  bytes_to_float (x->dtype, x->data, xf, x->numel);
  lamina_pool (call->parallel, &g, &pp, xf, yf, indices);
  float_to_bytes (x->dtype, yf, call->outputs[0]->data, call->outputs[0]->numel);
  return TRUE;
}

/* TFLite MaxPool2D / AveragePool2D (NHWC; the average ignores padding). */
static gboolean
tflite_pool_geom (const LaminaKernelCall *call, LaminaConvGeom *g, LaminaPoolParams *pp, GError **error)
{
  const LaminaValue *x;

  memset (g, 0, sizeof *g);
  memset (pp, 0, sizeof *pp);
  if (!lamina_kernel_check_inputs (call, 1, 1, error) || !check_float (call, 0, error))
    return FALSE;
  x = call->inputs[0];
  if (x->rank != 4)
    return fail_rank (call, 0, "4", error);
  g->nsp = 2;
  g->batch = x->dims[0];
  g->cin = g->cout = g->group = x->dims[3];
  g->in[0] = x->dims[1], g->in[1] = x->dims[2];
  g->k[0] = lamina_node_get_int (call->node, "filter_height", 1);
  g->k[1] = lamina_node_get_int (call->node, "filter_width", 1);
  if (g->k[0] < 1 || g->k[1] < 1 || g->k[0] > G_MAXINT32 || g->k[1] > G_MAXINT32)
    return fail_attr (call, "filter_width", error);
  pp->mode = g_str_equal (call->node->op_type, "MaxPool2D") ? LAMINA_POOL_MAX : LAMINA_POOL_AVERAGE;
  if (!tflite_strides (call, g, error) || !tflite_activation (call, g, error) || !tflite_padding (call, g, error))
    return FALSE;
  lamina_conv_geom_dense (g, TRUE);
  return TRUE;
}

static gboolean
tflite_pool_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;
  LaminaPoolParams pp;

  return tflite_pool_geom (call, &g, &pp, error) && set_conv_output (call, &g, error);
}

static gboolean
tflite_pool_run (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;
  LaminaPoolParams pp;

  if (!tflite_pool_geom (call, &g, &pp, error))
    return FALSE;
  lamina_pool (call->parallel, &g, &pp, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->outputs[0]), NULL);
  return TRUE;
}

static gboolean
global_pool_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 dims[LAMINA_MAX_RANK];

  if (!lamina_kernel_check_inputs (call, 1, 1, error) || !check_float (call, 0, error))
    return FALSE;
  x = call->inputs[0];
  if (x->rank < 2)
    return fail_rank (call, 0, "≥ 2", error);
  for (int d = 0; d < x->rank; d++)
    dims[d] = d < 2 ? x->dims[d] : 1;
  return set_output (call, 0, LAMINA_DTYPE_FLOAT32, x->rank, dims, error);
}

typedef struct {
  const float *x;
  float       *y;
  gint64       plane;
  gboolean     is_max;
} GlobalPool;

static void
global_pool_range (gint64 begin, gint64 end, gpointer data)
{
  const GlobalPool *gp = data;

  for (gint64 c = begin; c < end; c++)
    {
      const float *x = gp->x + c * gp->plane;
      float m = -INFINITY, s = 0.0f;
      if (gp->is_max)
        for (gint64 i = 0; i < gp->plane; i++)
          m = x[i] > m ? x[i] : m;
      else
        for (gint64 i = 0; i < gp->plane; i++)
          s += x[i];
      gp->y[c] = gp->is_max ? m : (gp->plane > 0 ? s / gp->plane : NAN);
    }
}

static gboolean
global_pool_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  GlobalPool gp = { LAMINA_VALUE_F32 (x), LAMINA_VALUE_F32 (call->outputs[0]), 1,
                    g_str_equal (call->node->op_type, "GlobalMaxPool") };

  for (int d = 2; d < x->rank; d++)
    gp.plane *= x->dims[d];
  lamina_parallel_for (call->parallel, x->dims[0] * x->dims[1], MAX (1, 16384 / MAX (gp.plane, 1)),
                       global_pool_range, &gp);
  return TRUE;
}

/* ---- matrix products --------------------------------------------------------------- */

/* A batched product: out[b] = op(A[b]) · op(B[b]) with NumPy-broadcast
 * batch dimensions; 1-D operands were already made 2-D by the caller. */
typedef struct {
  int    rank;                          /* batch rank of the output */
  gint64 dims[LAMINA_MAX_RANK];
  gint64 sa[LAMINA_MAX_RANK], sb[LAMINA_MAX_RANK];  /* batch strides, 0 = broadcast */
  gint64 m, n, k;
  gboolean ta, tb;
} MatmulShape;

/* Batch dims of a (rank ra, matrix last two) and b broadcast into ms. */
static gboolean
matmul_batch (const gint64 *da, int ra, const gint64 *db, int rb, MatmulShape *ms)
{
  gint64 stride_a = ms->m * ms->k, stride_b = ms->k * ms->n;

  ms->rank = MAX (ra, rb) - 2;
  for (int i = ms->rank - 1; i >= 0; i--)
    {
      int ia = i - (ms->rank - (ra - 2)), ib = i - (ms->rank - (rb - 2));
      gint64 a = ia >= 0 ? da[ia] : 1, b = ib >= 0 ? db[ib] : 1;
      if (a != b && a != 1 && b != 1)
        return FALSE;
      ms->dims[i] = a == 1 ? b : a;
      ms->sa[i] = a == 1 ? 0 : stride_a;
      ms->sb[i] = b == 1 ? 0 : stride_b;
      stride_a *= a;
      stride_b *= b;
    }
  return TRUE;
}

static gint64
matmul_batches (const MatmulShape *ms)
{
  gint64 n = 1;

  for (int i = 0; i < ms->rank; i++)
    n *= ms->dims[i];
  return n;
}

static void
matmul_run (LaminaParallel *p, const MatmulShape *ms, const float *a, const float *b, const LaminaGemmPacked *packed_b,
            float *y, const LaminaGemmEpilogue *ep)
{
  gint64 nb = matmul_batches (ms);

  for (gint64 bi = 0; bi < nb; bi++)
    {
      gint64 oa = 0, ob = 0, rest = bi;
      LaminaGemmOperand opa, opb;
      for (int i = ms->rank - 1; i >= 0; i--)
        {
          gint64 idx = rest % ms->dims[i];
          rest /= ms->dims[i];
          oa += idx * ms->sa[i];
          ob += idx * ms->sb[i];
        }
      opa = ms->ta ? lamina_gemm_matrix_a (a + oa, 1, ms->m) : lamina_gemm_matrix_a (a + oa, ms->k, 1);
      opb = packed_b ? lamina_gemm_packed (packed_b)
                     : ms->tb ? lamina_gemm_matrix_b (b + ob, 1, ms->k) : lamina_gemm_matrix_b (b + ob, ms->n, 1);
      lamina_gemm (p, ms->m, ms->n, ms->k, &opa, &opb, y + bi * ms->m * ms->n, ms->n, FALSE, ep);
    }
}

/* MatMul (ONNX, NumPy semantics) and BatchMatMul (TFLite adj_x/adj_y). */
static gboolean
matmul_shape (const LaminaKernelCall *call, MatmulShape *ms, int *out_rank, gint64 *out_dims, GError **error)
{
  const LaminaValue *a, *b;
  gint64 da[LAMINA_MAX_RANK + 1], db[LAMINA_MAX_RANK + 1];
  int ra, rb, r = 0;
  gboolean tflite = g_str_equal (call->node->op_type, "BatchMatMul");

  memset (ms, 0, sizeof *ms);
  if (!lamina_kernel_check_inputs (call, 2, 2, error) || !check_float (call, 0, error) || !check_float (call, 1, error))
    return FALSE;
  a = call->inputs[0], b = call->inputs[1];
  if (a->rank < (tflite ? 2 : 1))
    return fail_rank (call, 0, tflite ? "≥ 2" : "≥ 1", error);
  if (b->rank < (tflite ? 2 : 1))
    return fail_rank (call, 1, tflite ? "≥ 2" : "≥ 1", error);
  /* 1-D operands: [K] → [1, K] for A, [K] → [K, 1] for B */
  ra = MAX (a->rank, 2), rb = MAX (b->rank, 2);
  memcpy (da + (a->rank == 1), a->dims, a->rank * sizeof (gint64));
  memcpy (db, b->dims, b->rank * sizeof (gint64));
  if (a->rank == 1)
    da[0] = 1;
  if (b->rank == 1)
    db[1] = 1;
  ms->ta = tflite && lamina_node_get_int (call->node, "adj_x", 0);
  ms->tb = tflite && lamina_node_get_int (call->node, "adj_y", 0);
  ms->m = da[ra - 2 + ms->ta], ms->k = da[ra - 1 - ms->ta];
  ms->n = db[rb - 1 - ms->tb];
  if (db[rb - 2 + ms->tb] != ms->k || !matmul_batch (da, ra, db, rb, ms))
    return fail_shapes (call, 0, 1, error);
  for (int i = 0; i < ms->rank; i++)
    out_dims[r++] = ms->dims[i];
  if (a->rank > 1)
    out_dims[r++] = ms->m;
  if (b->rank > 1)
    out_dims[r++] = ms->n;
  *out_rank = r;
  return TRUE;
}

static gboolean
matmul_reshape (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  gint64 dims[LAMINA_MAX_RANK + 1];
  int rank;

  if (!matmul_shape (call, &ms, &rank, dims, error))
    return FALSE;
  if (rank > LAMINA_MAX_RANK)
    return fail_rank (call, 0, "≤ 8", error);
  return set_output (call, 0, LAMINA_DTYPE_FLOAT32, rank, dims, error);
}

/* A constant 2-D B (weights of a linear layer) is packed once. */
static gboolean
matmul_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *b = constant_input (call, 1);
  gboolean tb = g_str_equal (call->node->op_type, "BatchMatMul") && lamina_node_get_int (call->node, "adj_y", 0);
  PackedState *st;
  LaminaGemmOperand op;

  if (b == NULL || b->rank != 2)
    return TRUE;
  op = tb ? lamina_gemm_matrix_b (LAMINA_VALUE_F32 (b), 1, b->dims[1]) : lamina_gemm_matrix_b (LAMINA_VALUE_F32 (b), b->dims[1], 1);
  st = g_new0 (PackedState, 1);
  st->cin = tb ? b->dims[1] : b->dims[0];   /* k */
  st->cout = tb ? b->dims[0] : b->dims[1];  /* n */
  st->data = b->data;
  st->gemm = lamina_gemm_pack_b (&op, st->cout, st->cin);
  *state = st;
  return TRUE;
}

static const LaminaGemmPacked *
state_gemm (const LaminaKernelCall *call, const LaminaValue *b, gint64 k, gint64 n)
{
  const PackedState *st = call->state;

  return st && st->gemm && st->data == b->data && st->cin == k && st->cout == n ? st->gemm : NULL;
}

static gboolean
matmul_kernel_run (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  gint64 dims[LAMINA_MAX_RANK + 1];
  int rank;
  LaminaGemmEpilogue ep = { NULL, FALSE, -INFINITY, INFINITY };

  if (!matmul_shape (call, &ms, &rank, dims, error))
    return FALSE;
  lamina_kernel_fused_clamp (call, &ep.lo, &ep.hi);
  matmul_run (call->parallel, &ms, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->inputs[1]),
              call->inputs[1]->rank == 2 ? state_gemm (call, call->inputs[1], ms.k, ms.n) : NULL,
              LAMINA_VALUE_F32 (call->outputs[0]), &ep);
  return TRUE;
}

/* Gemm: Y = alpha · op(A) · op(B) + beta · C, C broadcast to [M, N]. */
static gboolean
gemm_shape (const LaminaKernelCall *call, MatmulShape *ms, GError **error)
{
  const LaminaValue *a, *b, *c;

  memset (ms, 0, sizeof *ms);
  if (!lamina_kernel_check_inputs (call, 2, 3, error) || !check_float (call, 0, error) || !check_float (call, 1, error)
      || !check_float (call, 2, error))
    return FALSE;
  a = call->inputs[0], b = call->inputs[1], c = call->n_inputs > 2 ? call->inputs[2] : NULL;
  if (a->rank != 2)
    return fail_rank (call, 0, "2", error);
  if (b->rank != 2)
    return fail_rank (call, 1, "2", error);
  ms->ta = lamina_node_get_int (call->node, "transA", 0) != 0;
  ms->tb = lamina_node_get_int (call->node, "transB", 0) != 0;
  ms->m = a->dims[ms->ta], ms->k = a->dims[!ms->ta];
  ms->n = b->dims[!ms->tb];
  if (b->dims[ms->tb] != ms->k)
    return fail_shapes (call, 0, 1, error);
  if (c != NULL && (c->rank > 2 || (c->rank == 2 && c->dims[0] != 1 && c->dims[0] != ms->m)
                    || (c->rank >= 1 && c->dims[c->rank - 1] != 1 && c->dims[c->rank - 1] != ms->n)))
    return fail_shapes (call, 0, 2, error);
  return TRUE;
}

static gboolean
gemm_reshape (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  gint64 dims[2];

  if (!gemm_shape (call, &ms, error))
    return FALSE;
  dims[0] = ms.m, dims[1] = ms.n;
  return set_output (call, 0, LAMINA_DTYPE_FLOAT32, 2, dims, error);
}

static gboolean
gemm_run (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  const LaminaValue *c;
  float *y, alpha = lamina_node_get_float (call->node, "alpha", 1.0), beta = lamina_node_get_float (call->node, "beta", 1.0);

  if (!gemm_shape (call, &ms, error))
    return FALSE;
  c = call->n_inputs > 2 ? call->inputs[2] : NULL;
  y = LAMINA_VALUE_F32 (call->outputs[0]);
  matmul_run (call->parallel, &ms, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->inputs[1]),
              state_gemm (call, call->inputs[1], ms.k, ms.n), y, NULL);
  for (gint64 i = 0; i < ms.m && (alpha != 1.0f || c != NULL); i++)
    for (gint64 j = 0; j < ms.n; j++)
      {
        float cv = 0.0f;
        if (c != NULL)
          cv = LAMINA_VALUE_F32 (c)[(c->rank == 2 && c->dims[0] > 1 ? i * c->dims[c->rank - 1] : 0)
                                    + (c->rank >= 1 && c->dims[c->rank - 1] > 1 ? j : 0)];
        y[i * ms.n + j] = alpha * y[i * ms.n + j] + beta * cv;
      }
  if (call->clamp != NULL)
    {
      float lo = -INFINITY, hi = INFINITY;
      lamina_kernel_fused_clamp (call, &lo, &hi);
      for (gint64 i = 0; i < ms.m * ms.n; i++)
        y[i] = MIN (MAX (y[i], lo), hi);
    }
  return TRUE;
}

/* Gemm packs a constant B only when it is not transposed by attribute. */
static gboolean
gemm_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  if (lamina_node_get_int (call->node, "transB", 0) != 0)
    return TRUE;
  return matmul_prepare (call, state, error);
}

/* FullyConnected: y[..., n] = x[..., k] · W[n, k]ᵀ + bias. */
static gboolean
fc_shape (const LaminaKernelCall *call, MatmulShape *ms, LaminaGemmEpilogue *ep, int *rank, gint64 *dims,
          GError **error)
{
  const LaminaValue *x, *w;
  LaminaConvGeom act;

  memset (ms, 0, sizeof *ms);
  if (!lamina_kernel_check_inputs (call, 2, 3, error) || !check_float (call, 0, error) || !check_float (call, 1, error))
    return FALSE;
  x = call->inputs[0], w = call->inputs[1];
  if (w->rank != 2)
    return fail_rank (call, 1, "2", error);
  if (!g_str_equal (lamina_node_get_string (call->node, "weights_format", "DEFAULT"), "DEFAULT"))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute “%s” value “%s” is not supported"), "weights_format",
                               lamina_node_get_string (call->node, "weights_format", ""));
  ms->k = w->dims[1], ms->n = w->dims[0], ms->tb = TRUE;
  if (x->rank < 1 || ms->k == 0 || x->numel % ms->k != 0
      || (lamina_node_get_int (call->node, "keep_num_dims", 0) && x->dims[x->rank - 1] != ms->k))
    return fail_shapes (call, 0, 1, error);
  ms->m = x->numel / ms->k;
  if (!check_bias (call, 2, ms->n, error) || !tflite_activation (call, &act, error))
    return FALSE;
  *ep = (LaminaGemmEpilogue) { optional_data (call, 2), FALSE, act.lo, act.hi };
  lamina_kernel_fused_clamp (call, &ep->lo, &ep->hi);
  if (lamina_node_get_int (call->node, "keep_num_dims", 0))
    {
      *rank = x->rank;
      memcpy (dims, x->dims, x->rank * sizeof (gint64));
      dims[x->rank - 1] = ms->n;
    }
  else
    *rank = 2, dims[0] = ms->m, dims[1] = ms->n;
  return TRUE;
}

static gboolean
fc_reshape (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  LaminaGemmEpilogue ep;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  return fc_shape (call, &ms, &ep, &rank, dims, error) && set_output (call, 0, LAMINA_DTYPE_FLOAT32, rank, dims, error);
}

static gboolean
fc_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaValue *w = constant_input (call, 1);
  PackedState *st;
  LaminaGemmOperand op;

  if (w == NULL || w->rank != 2)
    return TRUE;
  op = lamina_gemm_matrix_b (LAMINA_VALUE_F32 (w), 1, w->dims[1]);
  st = g_new0 (PackedState, 1);
  st->cin = w->dims[1];
  st->cout = w->dims[0];
  st->data = w->data;
  st->gemm = lamina_gemm_pack_b (&op, st->cout, st->cin);
  *state = st;
  return TRUE;
}

static gboolean
fc_run (LaminaKernelCall *call, GError **error)
{
  MatmulShape ms;
  LaminaGemmEpilogue ep;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  if (!fc_shape (call, &ms, &ep, &rank, dims, error))
    return FALSE;
  matmul_run (call->parallel, &ms, LAMINA_VALUE_F32 (call->inputs[0]), LAMINA_VALUE_F32 (call->inputs[1]),
              state_gemm (call, call->inputs[1], ms.k, ms.n), LAMINA_VALUE_F32 (call->outputs[0]), &ep);
  return TRUE;
}

/* Sorted by op_type; the registry sorts again, this is for readers. */
const LaminaKernel lamina_kernels_conv[] = {
  { "AveragePool", "", NULL, pool_reshape, pool_run, NULL },
  { "AveragePool2D", "", NULL, tflite_pool_reshape, tflite_pool_run, NULL },
  { "BatchMatMul", "", matmul_prepare, matmul_reshape, matmul_kernel_run, packed_state_free, TRUE },
  { "Conv", "", conv_prepare, conv_reshape, conv_run, packed_state_free, TRUE },
  { "Conv2D", "", conv2d_prepare, conv2d_reshape, conv2d_run, packed_state_free, TRUE },
  { "ConvTranspose", "", conv_transpose_prepare, conv_transpose_reshape, conv_transpose_run, packed_state_free, TRUE },
  { "DepthwiseConv2D", "", NULL, depthwise_reshape, depthwise_run, NULL, TRUE },
  { "FullyConnected", "", fc_prepare, fc_reshape, fc_run, packed_state_free, TRUE },
  { "Gemm", "", gemm_prepare, gemm_reshape, gemm_run, packed_state_free, TRUE },
  { "GlobalAveragePool", "", NULL, global_pool_reshape, global_pool_run, NULL },
  { "GlobalMaxPool", "", NULL, global_pool_reshape, global_pool_run, NULL },
  { "LpPool", "", NULL, pool_reshape, pool_run, NULL },
  { "MatMul", "", matmul_prepare, matmul_reshape, matmul_kernel_run, packed_state_free, TRUE },
  { "MaxPool", "", NULL, pool_reshape, pool_run, NULL },
  { "MaxPool2D", "", NULL, tflite_pool_reshape, tflite_pool_run, NULL },
  { "TransposeConv", "", NULL, transpose_conv_reshape, transpose_conv_run, NULL, TRUE },
};
const guint lamina_n_kernels_conv = G_N_ELEMENTS (lamina_kernels_conv);
