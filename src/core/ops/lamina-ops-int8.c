/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-int8.c: the integer kernels (fixed graphs, issue 5) — the
 * fifth kernel family. lamina_kernel_lookup_node picks one of these when a
 * node's activations are quantized integers; ONNX's quantization operators
 * (QuantizeLinear, QLinearConv ...) exist only here.
 *
 * The arithmetic is TFLite's integer reference (lamina-fixed.h), so a
 * full-integer TFLite model gives TFLite's bytes:
 *  - Quantize: float → int with round half away from zero; int → int
 *    requantizes with a fixed-point multiplier s_in / s_out.
 *  - Add: both inputs scaled by 2^20 (int16: 2^15) and by fixed-point
 *    multipliers s_i / (2 max s), summed, then scaled to the output.
 *  - Mul: (a − z_a)(b − z_b) times the multiplier s_a s_b / s_out.
 *  - Logistic, Tanh, HardSwish: 256-entry tables.
 *  - Concatenation, pools and data movement: values are moved as they are
 *    and requantized in integer arithmetic only where the output's
 *    parameters differ from the input's (TFLite's converter makes them
 *    equal; other tools may not).
 * Convolutions and matrix products are in lamina-int8-conv.c.
 *
 * ONNX's QuantizeLinear/DequantizeLinear/DynamicQuantizeLinear follow the
 * ONNX specification instead (round half to even, float arithmetic), for
 * 8- and 16-bit integers (opset 21), and also in ONNX Runtime's
 * com.microsoft domain, where int16 QDQ lives in files made for opset < 21.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-int8.h"
#include "lamina-int8-gemm.h"
#include "lamina-kernel-check.h"
#include "lamina-broadcast.h"
#include "lamina-vecmath.h"

/* ---- quantization parameters ------------------------------------------------ */

const LaminaQuant *
lamina_int8_quant (const LaminaKernelCall *call, guint i, gboolean output)
{
  GPtrArray *tensors = output ? call->node->outputs : call->node->inputs;
  const LaminaValue *v = NULL;
  const LaminaTensor *t;

  if (output ? i < call->n_outputs : i < call->n_inputs)
    v = output ? call->outputs[i] : call->inputs[i];
  if (v != NULL && v->quant != NULL)
    return v->quant;
  t = i < tensors->len ? g_ptr_array_index (tensors, i) : NULL;
  return t != NULL ? t->quant : NULL;
}

gboolean
lamina_int8_is_activation_dtype (LaminaDType dtype)
{
  return dtype == LAMINA_DTYPE_INT8 || dtype == LAMINA_DTYPE_UINT8 || dtype == LAMINA_DTYPE_INT16;
}

gboolean
lamina_int8_params (const LaminaKernelCall *call, guint i, gboolean output, LaminaDType dtype, LaminaQParams *p,
                    GError **error)
{
  const LaminaQuant *q = lamina_int8_quant (call, i, output);

  if (!lamina_int8_is_activation_dtype (dtype))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               output ? _("output %u: type %s is not supported")
                                      : _("input %u: type %s is not supported"), i, lamina_dtype_name (dtype));
  if (q == NULL || q->n != 1 || q->scale == NULL || !(q->scale[0] > 0.0f) || !isfinite (q->scale[0]))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               output ? _("output %u needs one positive scale (per-tensor quantization)")
                                      : _("input %u needs one positive scale (per-tensor quantization)"), i);
  p->dtype = dtype;
  p->scale = q->scale[0];
  p->zero = q->zero_point ? (gint32) CLAMP (q->zero_point[0], G_MININT32, G_MAXINT32) : 0;
  lamina_fixed_range (dtype, &p->lo, &p->hi);
  if (p->zero < p->lo || p->zero > p->hi)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("zero point %d is outside the range of %s"), p->zero, lamina_dtype_name (dtype));
  return TRUE;
}

LaminaDType
lamina_int8_output_dtype (const LaminaKernelCall *call, guint i, LaminaDType fallback)
{
  const LaminaTensor *t = i < call->node->outputs->len ? g_ptr_array_index (call->node->outputs, i) : NULL;

  return t != NULL && t->dtype != LAMINA_DTYPE_UNDEFINED ? t->dtype : fallback;
}

gboolean
lamina_int8_fail_shapes (const LaminaKernelCall *call, guint i, guint j, GError **error)
{
  g_autofree char *a = lamina_value_describe (call->inputs[i]);
  g_autofree char *b = lamina_value_describe (call->inputs[j]);

  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("inputs %s and %s do not fit together"), a, b);
}

static gint32
quantize_real (const LaminaQParams *p, float real)
{
  float steps = real / p->scale;
  gint64 q;

  if (isnan (steps))
    return p->zero;
  /* far outside every range: saturate before the conversion to integer */
  q = p->zero + lamina_fixed_round (CLAMP (steps, -1e12f, 1e12f));
  return (gint32) CLAMP (q, p->lo, p->hi);
}

gboolean
lamina_int8_activation_range (const LaminaKernelCall *call, const LaminaQParams *out, gint32 *lo, gint32 *hi,
                              GError **error)
{
  const char *act = lamina_node_get_string (call->node, "fused_activation_function", "NONE");
  float rlo = -INFINITY, rhi = INFINITY;

  if (g_str_equal (act, "RELU"))
    rlo = 0.0f;
  else if (g_str_equal (act, "RELU6"))
    rlo = 0.0f, rhi = 6.0f;
  else if (g_str_equal (act, "RELU_N1_TO_1"))
    rlo = -1.0f, rhi = 1.0f;
  else if (!g_str_equal (act, "NONE"))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute “%s” value “%s” is not supported"), "fused_activation_function", act);
  lamina_kernel_fused_clamp (call, &rlo, &rhi);
  *lo = isinf (rlo) ? out->lo : quantize_real (out, rlo);
  *hi = isinf (rhi) ? out->hi : quantize_real (out, rhi);
  return TRUE;
}

gboolean
lamina_int8_requant_init (const LaminaKernelCall *call, LaminaRequant *r, const LaminaQParams *in,
                          const LaminaQParams *out, GError **error)
{
  if (!lamina_fixed_quantize_multiplier ((double) in->scale / (double) out->scale, &r->multiplier, &r->shift))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid quantization scales"));
  r->in_zero = in->zero;
  r->out_zero = out->zero;
  r->lo = out->lo;
  r->hi = out->hi;
  return TRUE;
}

typedef struct {
  const LaminaRequant *r;
  const void          *x;
  void                *y;
  LaminaDType          xt, yt;
} RequantJob;

static void
requantize_range (gint64 begin, gint64 end, gpointer data)
{
  const RequantJob *j = data;

  gboolean byte_out = j->yt == LAMINA_DTYPE_INT8 || j->yt == LAMINA_DTYPE_UINT8;

  if (byte_out && j->xt == LAMINA_DTYPE_INT8)
    lamina_int8_requant_s8 (j->r, (const gint8 *) j->x + begin, (guint8 *) j->y + begin, end - begin);
  else if (byte_out && j->xt == LAMINA_DTYPE_UINT8)
    lamina_int8_requant_u8 (j->r, (const guint8 *) j->x + begin, (guint8 *) j->y + begin, end - begin);
  else
    for (gint64 i = begin; i < end; i++)
      lamina_int8_store (j->y, j->yt, i, lamina_int8_requant_apply (j->r, lamina_int8_load (j->x, j->xt, i)));
}

void
lamina_int8_requantize (LaminaParallel *p, const LaminaRequant *r, const void *x, LaminaDType xt, void *y,
                        LaminaDType yt, gint64 n)
{
  RequantJob j = { r, x, y, xt, yt };

  if (p != NULL)
    lamina_parallel_for (p, n, LAMINA_ELEMENTWISE_GRAIN, requantize_range, &j);
  else
    requantize_range (0, n, &j);
}

static gboolean
same_params (const LaminaQParams *a, const LaminaQParams *b)
{
  return a->dtype == b->dtype && a->scale == b->scale && a->zero == b->zero;
}

/* Output 0 with x's shape and the graph's output dtype (or x's). */
static gboolean
set_output_like (LaminaKernelCall *call, guint i, const LaminaValue *x, LaminaDType dtype, GError **error)
{
  if (i >= call->n_outputs || call->outputs[i] == NULL)
    return TRUE;
  return lamina_value_set_shape (call->outputs[i], dtype, x->rank, x->dims, error);
}

/* ---- TFLite Quantize / Dequantize ------------------------------------------------ */

static gboolean
quantize_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  LaminaQParams in, out;
  LaminaDType yt;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  yt = lamina_int8_output_dtype (call, 0, LAMINA_DTYPE_INT8);
  if (x->dtype != LAMINA_DTYPE_FLOAT32 && !lamina_int8_params (call, 0, FALSE, x->dtype, &in, error))
    return FALSE;
  if (!lamina_int8_params (call, 0, TRUE, yt, &out, error))
    return FALSE;
  return set_output_like (call, 0, x, yt, error);
}

static gboolean
quantize_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  LaminaQParams in, out;
  LaminaRequant r;

  if (y == NULL || !lamina_int8_params (call, 0, TRUE, y->dtype, &out, error))
    return y == NULL;
  if (x->dtype == LAMINA_DTYPE_FLOAT32)
    {
      /* TFLite's AffineQuantize: round (x / s) half away from zero, in float */
      const float *xf = x->data;
      for (gint64 i = 0; i < x->numel; i++)
        lamina_int8_store (y->data, y->dtype, i, quantize_real (&out, xf[i]));
      return TRUE;
    }
  if (!lamina_int8_params (call, 0, FALSE, x->dtype, &in, error) || !lamina_int8_requant_init (call, &r, &in, &out, error))
    return FALSE;
  lamina_int8_requantize (call->parallel, &r, x->data, x->dtype, y->data, y->dtype, x->numel);
  return TRUE;
}

/* Per-tensor or per-axis parameters that fit x; channel of element i. */
static gboolean
check_quant_fits (const LaminaKernelCall *call, const LaminaQuant *q, const LaminaValue *x, GError **error)
{
  if (q == NULL || q->n == 0 || q->scale == NULL || (q->axis < 0 && q->n != 1)
      || (q->axis >= 0 && (q->axis >= x->rank || (gint64) q->n != x->dims[q->axis])))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("missing or invalid quantization parameters"));
  return TRUE;
}

static gint64
inner_size (const LaminaValue *x, int axis)
{
  gint64 inner = 1;

  for (int d = axis + 1; d < x->rank; d++)
    inner *= x->dims[d];
  return inner;
}

static gboolean
dequantize_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (!lamina_int8_is_activation_dtype (x->dtype) && x->dtype != LAMINA_DTYPE_INT32)
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!check_quant_fits (call, lamina_int8_quant (call, 0, FALSE), x, error))
    return FALSE;
  return set_output_like (call, 0, x, LAMINA_DTYPE_FLOAT32, error);
}

static gboolean
dequantize_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  const LaminaQuant *q = lamina_int8_quant (call, 0, FALSE);
  float *y;
  gint64 inner;

  if (call->outputs[0] == NULL)
    return TRUE;
  y = LAMINA_VALUE_F32 (call->outputs[0]);
  inner = q->axis >= 0 ? inner_size (x, q->axis) : x->numel;
  for (gint64 i = 0; i < x->numel; i++)
    {
      guint c = q->axis >= 0 ? (guint) ((i / inner) % q->n) : 0;
      gint64 zero = q->zero_point ? q->zero_point[c] : 0;
      /* TFLite's reference: scale in double times (q − z) */
      y[i] = (float) ((double) q->scale[c] * (double) (lamina_int8_load (x->data, x->dtype, i) - zero));
    }
  return TRUE;
}

/* ---- ONNX QuantizeLinear / DequantizeLinear ----------------------------------------- */

/* The scale and zero-point inputs (s, zi) of an ONNX (De)QuantizeLinear:
 * a scalar, or a 1-D tensor along attribute axis of x. Sets *axis (−1 when
 * per tensor) and *n. */
static gboolean
onnx_quant_axis (const LaminaKernelCall *call, const LaminaValue *x, int *axis, gint64 *n, GError **error)
{
  const LaminaValue *s = call->inputs[1], *z = call->n_inputs > 2 ? call->inputs[2] : NULL;

  if (s->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail_dtype (call, 1, error);
  if (lamina_node_get_int (call->node, "block_size", 0) != 0)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("attribute “%s” value “%s” is not supported"), "block_size", "≠ 0");
  *axis = -1;
  *n = s->numel;
  if (s->rank > 1 || (s->rank == 1 && s->numel != 1 && x->rank == 0))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("the scale must be a scalar or 1-D"));
  if (s->rank == 1 && s->numel != 1)
    {
      if (!lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", 1), x->rank, axis, error))
        return FALSE;
      if (x->dims[*axis] != s->numel)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the scale has %lld entries for an axis of %lld"),
                                   (long long) s->numel, (long long) x->dims[*axis]);
    }
  else if (s->numel != 1)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("the scale must be a scalar or 1-D"));
  if (z != NULL && z->numel != s->numel)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("the zero point and the scale have different sizes"));
  return TRUE;
}

/* The output type: the zero point's, else opset 21's output_dtype
 * attribute, else uint8; 8 or 16 bits, signed or not. */
static gboolean
quantize_linear_dtype (const LaminaKernelCall *call, const LaminaValue *z, LaminaDType *yt, GError **error)
{
  gint64 code = lamina_node_get_int (call->node, "output_dtype", 0);
  LaminaDType attr = code != 0 ? lamina_dtype_from_onnx (code) : LAMINA_DTYPE_UNDEFINED;
  gint32 lo, hi;

  *yt = z != NULL ? z->dtype : attr != LAMINA_DTYPE_UNDEFINED ? attr : LAMINA_DTYPE_UINT8;
  if (z != NULL && attr != LAMINA_DTYPE_UNDEFINED && attr != z->dtype)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("output_dtype %s differs from the zero point’s type %s"),
                               lamina_dtype_name (attr), lamina_dtype_name (z->dtype));
  if (*yt == LAMINA_DTYPE_INT32 || !lamina_fixed_range (*yt, &lo, &hi))
    return z != NULL ? lamina_kernel_fail_dtype (call, 2, error)
                     : lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                           _("attribute “%s” value “%s” is not supported"), "output_dtype",
                                           lamina_dtype_name (*yt));
  return TRUE;
}

static gboolean
quantize_linear_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x, *z;
  LaminaDType yt;
  gint64 n;
  int axis;

  if (!lamina_kernel_check_inputs (call, 2, 3, error))
    return FALSE;
  x = call->inputs[0];
  z = call->n_inputs > 2 ? call->inputs[2] : NULL;
  if (x->dtype != LAMINA_DTYPE_FLOAT32 && x->dtype != LAMINA_DTYPE_INT32)
    return lamina_kernel_fail_dtype (call, 0, error);
  if (!quantize_linear_dtype (call, z, &yt, error))
    return FALSE;
  if (!onnx_quant_axis (call, x, &axis, &n, error))
    return FALSE;
  return set_output_like (call, 0, x, yt, error);
}

/* (De)QuantizeLinear of float32 ↔ 8- and 16-bit tensors in vectorised runs
 * of one channel (one scale and zero point); the other dtypes take the
 * loops of the run functions. */
typedef struct {
  const LaminaValue *x, *z;
  LaminaValue       *y;
  const float       *scale;
  gint64             inner, n;       /* elements per channel run; channels */
  gint32             lo, hi;
} LinearJob;

/* ONNX: saturate (round half to even (x / scale) + zero point); NaN → 0.
 * rintf of the float quotient is rint of it in double, as the scalar loop;
 * the sum of two integers below 2^24 is exact in float. y holds `width`-
 * byte integers (the bits of the signed or unsigned type). Inlined into
 * one vector-cloned function per width, so each loop has one store. */
G_ALWAYS_INLINE static inline void
quantize_ints (const float *x, float scale, float zero, float lo, float hi, void *y, int width, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    {
      float v = rintf (x[i] / scale) + zero;
      gint32 q;
      v = v < lo ? lo : v > hi ? hi : v;
      q = (gint32) (v == v ? v : 0.0f);
      if (width == 1)
        ((guint8 *) y)[i] = (guint8) q;
      else
        ((guint16 *) y)[i] = (guint16) q;
    }
}

LAMINA_VECTOR_CLONES static void
quantize_bytes (const float *x, float scale, float zero, float lo, float hi, guint8 *y, gint64 n)
{
  quantize_ints (x, scale, zero, lo, hi, y, 1, n);
}

LAMINA_VECTOR_CLONES static void
quantize_shorts (const float *x, float scale, float zero, float lo, float hi, guint16 *y, gint64 n)
{
  quantize_ints (x, scale, zero, lo, hi, y, 2, n);
}

/* ONNX's reference in float32: (x − zero) · scale. */
LAMINA_VECTOR_CLONES static void
dequantize_bytes (const guint8 *x, gboolean is_signed, float scale, float zero, float *y, gint64 n)
{
  if (is_signed)
    for (gint64 i = 0; i < n; i++)
      y[i] = ((float) (gint8) x[i] - zero) * scale;
  else
    for (gint64 i = 0; i < n; i++)
      y[i] = ((float) x[i] - zero) * scale;
}

LAMINA_VECTOR_CLONES static void
dequantize_shorts (const guint16 *x, gboolean is_signed, float scale, float zero, float *y, gint64 n)
{
  if (is_signed)
    for (gint64 i = 0; i < n; i++)
      y[i] = ((float) (gint16) x[i] - zero) * scale;
  else
    for (gint64 i = 0; i < n; i++)
      y[i] = ((float) x[i] - zero) * scale;
}

static gboolean
is_short (LaminaDType t)
{
  return t == LAMINA_DTYPE_INT16 || t == LAMINA_DTYPE_UINT16;
}

static void
linear_run (const LinearJob *j, gboolean quantize, gint64 begin, gint64 n, float scale, float zero)
{
  const LaminaDType t = quantize ? j->y->dtype : j->x->dtype;
  const gboolean is_signed = t == LAMINA_DTYPE_INT8 || t == LAMINA_DTYPE_INT16;

  if (quantize && is_short (t))
    quantize_shorts (LAMINA_VALUE_F32 (j->x) + begin, scale, zero, (float) j->lo, (float) j->hi,
                     (guint16 *) j->y->data + begin, n);
  else if (quantize)
    quantize_bytes (LAMINA_VALUE_F32 (j->x) + begin, scale, zero, (float) j->lo, (float) j->hi,
                    (guint8 *) j->y->data + begin, n);
  else if (is_short (t))
    dequantize_shorts ((const guint16 *) j->x->data + begin, is_signed, scale, zero,
                       LAMINA_VALUE_F32 (j->y) + begin, n);
  else
    dequantize_bytes ((const guint8 *) j->x->data + begin, is_signed, scale, zero,
                      LAMINA_VALUE_F32 (j->y) + begin, n);
}

static void
linear_range (gint64 begin, gint64 end, gpointer data, gboolean quantize)
{
  const LinearJob *j = data;

  while (begin < end)
    {
      gint64 stop = MIN (end, (begin / j->inner + 1) * j->inner), c = (begin / j->inner) % j->n;
      float zero = j->z ? (float) lamina_int8_load (j->z->data, j->z->dtype, c) : 0.0f;
      linear_run (j, quantize, begin, stop - begin, j->scale[c], zero);
      begin = stop;
    }
}

static void
quantize_range (gint64 begin, gint64 end, gpointer data)
{
  linear_range (begin, end, data, TRUE);
}

static void
dequantize_range (gint64 begin, gint64 end, gpointer data)
{
  linear_range (begin, end, data, FALSE);
}

/* Runs the vectorised loop when x (quantize: y) is 8- or 16-bit; FALSE
 * otherwise. */
static gboolean
linear_fast (LaminaKernelCall *call, gboolean quantize, int axis, gint64 n)
{
  const LaminaValue *x = call->inputs[0];
  LinearJob j = { x, call->n_inputs > 2 ? call->inputs[2] : NULL, call->outputs[0], call->inputs[1]->data };
  LaminaDType ints = quantize ? j.y->dtype : x->dtype;

  if ((ints != LAMINA_DTYPE_INT8 && ints != LAMINA_DTYPE_UINT8 && !is_short (ints))
      || (quantize ? x->dtype : j.y->dtype) != LAMINA_DTYPE_FLOAT32)
    return FALSE;
  j.inner = axis >= 0 ? MAX (inner_size (x, axis), 1) : MAX (x->numel, 1);
  j.n = axis >= 0 ? n : 1;
  lamina_fixed_range (j.y->dtype, &j.lo, &j.hi);
  lamina_parallel_for (call->parallel, x->numel, LAMINA_ELEMENTWISE_GRAIN, quantize ? quantize_range : dequantize_range,
                       &j);
  return TRUE;
}

static gboolean
quantize_linear_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0], *s = call->inputs[1];
  const LaminaValue *z = call->n_inputs > 2 ? call->inputs[2] : NULL;
  LaminaValue *y = call->outputs[0];
  const float *scale = s->data;
  gint64 n, inner;
  gint32 lo, hi;
  int axis;

  if (y == NULL)
    return TRUE;
  if (!onnx_quant_axis (call, x, &axis, &n, error))
    return FALSE;
  if (linear_fast (call, TRUE, axis, n))
    return TRUE;
  lamina_fixed_range (y->dtype, &lo, &hi);
  inner = axis >= 0 ? inner_size (x, axis) : x->numel;
  for (gint64 i = 0; i < x->numel; i++)
    {
      gint64 c = axis >= 0 ? (i / inner) % n : 0;
      float xf = x->dtype == LAMINA_DTYPE_FLOAT32 ? LAMINA_VALUE_F32 (x)[i] : (float) ((gint32 *) x->data)[i];
      /* ONNX: saturate (round half to even (x / scale) + zero point) */
      double v = rint ((double) (xf / scale[c])) + (z ? lamina_int8_load (z->data, z->dtype, c) : 0);
      lamina_int8_store (y->data, y->dtype, i, (gint32) (isnan (v) ? 0 : CLAMP (v, lo, hi)));
    }
  return TRUE;
}

static gboolean
dequantize_linear_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  gint64 n;
  int axis;

  if (!lamina_kernel_check_inputs (call, 2, 3, error))
    return FALSE;
  x = call->inputs[0];
  if (!lamina_int8_is_activation_dtype (x->dtype) && x->dtype != LAMINA_DTYPE_INT32
      && x->dtype != LAMINA_DTYPE_UINT16)
    return lamina_kernel_fail_dtype (call, 0, error);
  if (call->n_inputs > 2 && call->inputs[2] != NULL && call->inputs[2]->dtype != x->dtype)
    return lamina_kernel_check_same_dtype (call, 0, 2, error);
  if (!onnx_quant_axis (call, x, &axis, &n, error))
    return FALSE;
  return set_output_like (call, 0, x, LAMINA_DTYPE_FLOAT32, error);
}

static gboolean
dequantize_linear_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0], *s = call->inputs[1];
  const LaminaValue *z = call->n_inputs > 2 ? call->inputs[2] : NULL;
  const float *scale = s->data;
  float *y;
  gint64 n, inner;
  int axis;

  if (call->outputs[0] == NULL)
    return TRUE;
  if (!onnx_quant_axis (call, x, &axis, &n, error))
    return FALSE;
  if (linear_fast (call, FALSE, axis, n))
    return TRUE;
  y = LAMINA_VALUE_F32 (call->outputs[0]);
  inner = axis >= 0 ? inner_size (x, axis) : x->numel;
  for (gint64 i = 0; i < x->numel; i++)
    {
      gint64 c = axis >= 0 ? (i / inner) % n : 0;
      float zero = z ? (float) lamina_int8_load (z->data, z->dtype, c) : 0.0f;
      /* ONNX's reference: float32 arithmetic */
      y[i] = ((float) lamina_int8_load (x->data, x->dtype, i) - zero) * scale[c];
    }
  return TRUE;
}

static gboolean
dynamic_quantize_linear_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  if (x->dtype != LAMINA_DTYPE_FLOAT32)
    return lamina_kernel_fail_dtype (call, 0, error);
  for (guint i = 1; i < MIN (call->n_outputs, 3); i++)
    if (call->outputs[i] != NULL
        && !lamina_value_set_shape (call->outputs[i], i == 1 ? LAMINA_DTYPE_FLOAT32 : LAMINA_DTYPE_UINT8, 0, NULL,
                                    error))
      return FALSE;
  return set_output_like (call, 0, x, LAMINA_DTYPE_UINT8, error);
}

static gboolean
dynamic_quantize_linear_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  const float *xf = x->data;
  float lo = 0.0f, hi = 0.0f, scale;
  double zero;

  for (gint64 i = 0; i < x->numel; i++)
    {
      lo = fminf (lo, xf[i]);
      hi = fmaxf (hi, xf[i]);
    }
  /* ONNX: the range always includes 0; uint8 [0, 255] */
  scale = (hi - lo) / 255.0f;
  zero = scale > 0.0f ? CLAMP (rint ((double) (0.0f - lo / scale)), 0, 255) : 0;
  if (call->n_outputs > 1 && call->outputs[1] != NULL)
    LAMINA_VALUE_F32 (call->outputs[1])[0] = scale;
  if (call->n_outputs > 2 && call->outputs[2] != NULL)
    ((guint8 *) call->outputs[2]->data)[0] = (guint8) zero;
  if (call->outputs[0] != NULL)
    for (gint64 i = 0; i < x->numel; i++)
      {
        double v = scale > 0.0f ? rint ((double) (xf[i] / scale)) + zero : zero;
        ((guint8 *) call->outputs[0]->data)[i] = (guint8) CLAMP (v, 0, 255);
      }
  return TRUE;
}

/* ---- Add / Mul ------------------------------------------------------------------ */

typedef struct {
  const LaminaValue *a, *b;
  LaminaValue       *y;
  gint32             za, zb, zy, lo, hi;
  /* Add: left shift, input multipliers, output multiplier; Mul: output only */
  int                left_shift, shift_a, shift_b, shift_y;
  gint32             mult_a, mult_b, mult_y;
} BinaryJob;

static inline gint32
add_one (const BinaryJob *j, gint32 a, gint32 b)
{
  gint32 sa = lamina_fixed_mul ((a - j->za) * (1 << j->left_shift), j->mult_a, j->shift_a);
  gint32 sb = lamina_fixed_mul ((b - j->zb) * (1 << j->left_shift), j->mult_b, j->shift_b);

  return lamina_fixed_clamp (lamina_fixed_mul (sa + sb, j->mult_y, j->shift_y) + j->zy, j->lo, j->hi);
}

static inline gint32
mul_one (const BinaryJob *j, gint32 a, gint32 b)
{
  return lamina_fixed_clamp (lamina_fixed_mul ((a - j->za) * (b - j->zb), j->mult_y, j->shift_y) + j->zy, j->lo, j->hi);
}

/* One broadcast row; int8 operands (all of YOLOv5n int8) without a dtype
 * switch per element. */
#define BINARY_ROW(name, one)                                                                         \
  static void name (gint64 out, const gint64 *offsets, const gint64 *strides, gint64 n, gpointer data) \
  {                                                                                                 \
    const BinaryJob *j = data;                                                                      \
    if (j->a->dtype == LAMINA_DTYPE_INT8 && j->b->dtype == LAMINA_DTYPE_INT8                        \
        && j->y->dtype == LAMINA_DTYPE_INT8)                                                        \
      {                                                                                             \
        const gint8 *a = (const gint8 *) j->a->data + offsets[0], *b = (const gint8 *) j->b->data + offsets[1]; \
        gint8 *y = (gint8 *) j->y->data + out;                                                      \
        for (gint64 k = 0; k < n; k++)                                                              \
          y[k] = (gint8) one (j, a[k * strides[0]], b[k * strides[1]]);                             \
        return;                                                                                     \
      }                                                                                             \
    for (gint64 k = 0; k < n; k++)                                                                  \
      lamina_int8_store (j->y->data, j->y->dtype, out + k,                                          \
                         one (j, lamina_int8_load (j->a->data, j->a->dtype, offsets[0] + k * strides[0]), \
                              lamina_int8_load (j->b->data, j->b->dtype, offsets[1] + k * strides[1]))); \
  }

BINARY_ROW (add_row, add_one)
BINARY_ROW (mul_row, mul_one)

typedef struct {
  const BinaryJob        *j;
  const LaminaInt8Binary *bp;
} FlatJob;

static void
flat_range (gint64 begin, gint64 end, gpointer data)
{
  const FlatJob *f = data;

  lamina_int8_binary_s8 (f->bp, (const gint8 *) f->j->a->data + begin, (const gint8 *) f->j->b->data + begin,
                         (gint8 *) f->j->y->data + begin, end - begin);
}

/* add_one / mul_one's parameters for the vectorised loop. */
static void
flat_params (const BinaryJob *j, gboolean is_add, LaminaInt8Binary *bp)
{
  const gint32 m[3] = { j->mult_a, j->mult_b, j->mult_y };
  const int shift[3] = { j->shift_a, j->shift_b, j->shift_y };

  *bp = (LaminaInt8Binary) { is_add, j->za, j->zb, j->zy, j->lo, j->hi, 1 << j->left_shift };
  for (int k = 0; k < 3; k++)
    {
      bp->m[k] = m[k];
      bp->l[k] = MAX (shift[k], 0);
      bp->r[k] = MAX (-shift[k], 0);
    }
}

/* int8 operands of the output's shape: no broadcasting to plan. */
static gboolean
flat_applies (const BinaryJob *j)
{
  return j->a->dtype == LAMINA_DTYPE_INT8 && j->b->dtype == LAMINA_DTYPE_INT8 && j->y->dtype == LAMINA_DTYPE_INT8
         && j->a->numel == j->y->numel && j->b->numel == j->y->numel;
}

static gboolean
binary_reshape (LaminaKernelCall *call, GError **error)
{
  g_autofree char *message = NULL;
  gint64 dims[LAMINA_MAX_RANK];
  LaminaQParams pa, pb, py;
  LaminaDType yt;
  int rank;

  if (!lamina_kernel_check_inputs (call, 2, 2, error))
    return FALSE;
  yt = lamina_int8_output_dtype (call, 0, call->inputs[0]->dtype);
  if (!lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &pa, error)
      || !lamina_int8_params (call, 1, FALSE, call->inputs[1]->dtype, &pb, error)
      || !lamina_int8_params (call, 0, TRUE, yt, &py, error))
    return FALSE;
  if (!lamina_broadcast_shape (call->inputs, 2, &rank, dims, &message))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, "%s", message);
  if (call->outputs[0] == NULL)
    return TRUE;
  return lamina_value_set_shape (call->outputs[0], yt, rank, dims, error);
}

static gboolean
binary_run (LaminaKernelCall *call, gboolean is_add, GError **error)
{
  LaminaValue *y = call->outputs[0];
  LaminaQParams pa, pb, py;
  BinaryJob j = { call->inputs[0], call->inputs[1], y };
  LaminaBroadcast b;
  gboolean ok = TRUE;

  if (y == NULL)
    return TRUE;
  if (!lamina_int8_params (call, 0, FALSE, j.a->dtype, &pa, error)
      || !lamina_int8_params (call, 1, FALSE, j.b->dtype, &pb, error)
      || !lamina_int8_params (call, 0, TRUE, y->dtype, &py, error)
      || !lamina_int8_activation_range (call, &py, &j.lo, &j.hi, error))
    return FALSE;
  j.za = pa.zero, j.zb = pb.zero, j.zy = py.zero;
  if (is_add)
    {
      /* TFLite's quantized Add: inputs on a common scale 2·max(s_a, s_b)
       * with 20 (int16: 15) bits of headroom */
      double twice_max = 2.0 * MAX (pa.scale, pb.scale);
      j.left_shift = y->dtype == LAMINA_DTYPE_INT16 ? 15 : 20;
      ok = lamina_fixed_quantize_multiplier (pa.scale / twice_max, &j.mult_a, &j.shift_a)
           && lamina_fixed_quantize_multiplier (pb.scale / twice_max, &j.mult_b, &j.shift_b)
           && lamina_fixed_quantize_multiplier (twice_max / ((double) (1 << j.left_shift) * py.scale), &j.mult_y,
                                                &j.shift_y);
    }
  else
    ok = lamina_fixed_quantize_multiplier ((double) pa.scale * (double) pb.scale / (double) py.scale, &j.mult_y,
                                           &j.shift_y);
  if (!ok)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("invalid quantization scales"));
  if (flat_applies (&j))
    {
      LaminaInt8Binary bp;
      FlatJob f = { &j, &bp };
      flat_params (&j, is_add, &bp);
      lamina_parallel_for (call->parallel, y->numel, LAMINA_ELEMENTWISE_GRAIN, flat_range, &f);
      return TRUE;
    }
  lamina_broadcast_plan (&b, y->rank, y->dims, call->inputs, 2);
  lamina_broadcast_run (&b, call->parallel, is_add ? add_row : mul_row, &j);
  return TRUE;
}

static gboolean
add_run (LaminaKernelCall *call, GError **error)
{
  return binary_run (call, TRUE, error);
}

static gboolean
mul_run (LaminaKernelCall *call, GError **error)
{
  return binary_run (call, FALSE, error);
}

/* ---- table functions ---------------------------------------------------------- */

typedef struct {
  const guint8 *table;
  const void   *x;
  void         *y;
} TableJob;

static void
table_range (gint64 begin, gint64 end, gpointer data)
{
  const TableJob *j = data;
  const guint8 *x = j->x;
  guint8 *y = j->y;

  /* int8 and uint8 alike: the table is indexed by the byte */
  for (gint64 i = begin; i < end; i++)
    y[i] = j->table[x[i]];
}

static gboolean
table_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x;
  LaminaQParams in, out;
  LaminaDType yt;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  x = call->inputs[0];
  yt = lamina_int8_output_dtype (call, 0, x->dtype);
  if (!lamina_int8_params (call, 0, FALSE, x->dtype, &in, error) || !lamina_int8_params (call, 0, TRUE, yt, &out, error))
    return FALSE;
  if (x->dtype == LAMINA_DTYPE_INT16 || yt != x->dtype)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                               _("only int8 and uint8 tables are implemented (input %s, output %s)"),
                               lamina_dtype_name (x->dtype), lamina_dtype_name (yt));
  return set_output_like (call, 0, x, yt, error);
}

static LaminaFixedFunc
table_func (const LaminaKernelCall *call)
{
  const char *op = call->node->op_type;

  if (g_str_equal (op, "Tanh"))
    return LAMINA_FIXED_TANH;
  if (g_str_equal (op, "HardSwish"))
    return LAMINA_FIXED_HARD_SWISH;
  return LAMINA_FIXED_SIGMOID;   /* Logistic */
}

static gboolean
table_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  LaminaQParams in, out;
  guint8 table[256];
  TableJob j;

  if (y == NULL)
    return TRUE;
  if (!lamina_int8_params (call, 0, FALSE, x->dtype, &in, error) || !lamina_int8_params (call, 0, TRUE, y->dtype, &out, error))
    return FALSE;
  /* 256 evaluations: cheaper to redo than to keep per node */
  lamina_fixed_lut_build (table_func (call), x->dtype == LAMINA_DTYPE_INT8, in.scale, in.zero, out.scale, out.zero,
                          table);
  j = (TableJob) { table, x->data, y->data };
  lamina_parallel_for (call->parallel, x->numel, LAMINA_ELEMENTWISE_GRAIN, table_range, &j);
  return TRUE;
}

/* LookupTable (domain "lamina"; the simulator's fused DequantizeLinear →
 * unary op → QuantizeLinear): y[i] = table[byte of x[i]], inputs x (int8
 * or uint8) and the table (256 entries of y's dtype). */
static gboolean
lookup_table_reshape (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x, *t;

  if (!lamina_kernel_check_inputs (call, 2, 2, error))
    return FALSE;
  x = call->inputs[0], t = call->inputs[1];
  if ((x->dtype != LAMINA_DTYPE_INT8 && x->dtype != LAMINA_DTYPE_UINT8)
      || (t->dtype != LAMINA_DTYPE_INT8 && t->dtype != LAMINA_DTYPE_UINT8) || t->numel != 256)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("a lookup table takes 8-bit integers and a table of 256 of them"));
  return set_output_like (call, 0, x, t->dtype, error);
}

static gboolean
lookup_table_run (LaminaKernelCall *call, GError **error)
{
  TableJob j = { call->inputs[1]->data, call->inputs[0]->data, NULL };

  if (call->outputs[0] == NULL)
    return TRUE;
  j.y = call->outputs[0]->data;
  lamina_parallel_for (call->parallel, call->inputs[0]->numel, LAMINA_ELEMENTWISE_GRAIN, table_range, &j);
  return TRUE;
}

/* ---- Concatenation ---------------------------------------------------------------- */

static gboolean
concat_axis (LaminaKernelCall *call, int *axis, GError **error)
{
  const LaminaValue *x0;

  if (call->n_inputs < 1 || call->inputs[0] == NULL)
    return lamina_kernel_check_inputs (call, 1, G_MAXUINT, error);
  x0 = call->inputs[0];
  if (!lamina_kernel_axis (call, lamina_node_get_int (call->node, "axis", 0), x0->rank, axis, error))
    return FALSE;
  for (guint i = 0; i < call->n_inputs; i++)
    {
      const LaminaValue *x = call->inputs[i];
      if (x == NULL)
        return lamina_kernel_check_inputs (call, call->n_inputs, call->n_inputs, error);
      if (x->rank != x0->rank || x->dtype != x0->dtype)
        return lamina_int8_fail_shapes (call, 0, i, error);
      for (int d = 0; d < x0->rank; d++)
        if (d != *axis && x->dims[d] != x0->dims[d])
          return lamina_int8_fail_shapes (call, 0, i, error);
    }
  return TRUE;
}

static gboolean
concat_reshape (LaminaKernelCall *call, GError **error)
{
  gint64 dims[LAMINA_MAX_RANK];
  LaminaQParams p;
  LaminaDType yt;
  int axis;

  if (!concat_axis (call, &axis, error))
    return FALSE;
  yt = lamina_int8_output_dtype (call, 0, call->inputs[0]->dtype);
  for (guint i = 0; i < call->n_inputs; i++)
    if (!lamina_int8_params (call, i, FALSE, call->inputs[i]->dtype, &p, error))
      return FALSE;
  if (!lamina_int8_params (call, 0, TRUE, yt, &p, error))
    return FALSE;
  memcpy (dims, call->inputs[0]->dims, sizeof dims);
  dims[axis] = 0;
  for (guint i = 0; i < call->n_inputs; i++)
    dims[axis] += call->inputs[i]->dims[axis];
  if (call->outputs[0] == NULL)
    return TRUE;
  return lamina_value_set_shape (call->outputs[0], yt, call->inputs[0]->rank, dims, error);
}

static gboolean
concat_run (LaminaKernelCall *call, GError **error)
{
  LaminaValue *y = call->outputs[0];
  gint64 outer = 1, inner, y_row, offset = 0;
  LaminaQParams py;
  int axis;

  if (y == NULL)
    return TRUE;
  if (!concat_axis (call, &axis, error) || !lamina_int8_params (call, 0, TRUE, y->dtype, &py, error))
    return FALSE;
  for (int d = 0; d < axis; d++)
    outer *= y->dims[d];
  inner = inner_size (y, axis);
  y_row = y->dims[axis] * inner;
  for (guint i = 0; i < call->n_inputs; i++)
    {
      const LaminaValue *x = call->inputs[i];
      gint64 x_row = x->dims[axis] * inner;
      gsize size = lamina_dtype_size (y->dtype);
      LaminaQParams px;
      LaminaRequant r;

      if (!lamina_int8_params (call, i, FALSE, x->dtype, &px, error))
        return FALSE;
      if (same_params (&px, &py))
        for (gint64 o = 0; o < outer; o++)
          memcpy ((char *) y->data + (o * y_row + offset) * size, (const char *) x->data + o * x_row * size,
                  x_row * size);
      else if (lamina_int8_requant_init (call, &r, &px, &py, error))
        for (gint64 o = 0; o < outer; o++)
          lamina_int8_requantize (NULL, &r, (const char *) x->data + o * x_row * lamina_dtype_size (x->dtype),
                                  x->dtype, (char *) y->data + (o * y_row + offset) * size, y->dtype, x_row);
      else
        return FALSE;
      offset += x_row;
    }
  return TRUE;
}

/* ---- MaxPool2D / AveragePool2D ------------------------------------------------------- */

static gboolean
pool_geom (const LaminaKernelCall *call, LaminaConvGeom *g, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  const char *padding = lamina_node_get_string (call->node, "padding", "SAME");
  gint64 end;

  memset (g, 0, sizeof *g);
  if (x->rank != 4)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("input %u: expected rank %s, got %d"), 0, "4", x->rank);
  g->nsp = 2;
  g->batch = x->dims[0];
  g->cin = g->cout = g->group = x->dims[3];
  g->k[0] = lamina_node_get_int (call->node, "filter_height", 1);
  g->k[1] = lamina_node_get_int (call->node, "filter_width", 1);
  g->stride[0] = lamina_node_get_int (call->node, "stride_h", 1);
  g->stride[1] = lamina_node_get_int (call->node, "stride_w", 1);
  if (!g_str_equal (padding, "SAME") && !g_str_equal (padding, "VALID"))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("attribute “%s” is invalid"), "padding");
  for (int d = 0; d < 2; d++)
    {
      g->dil[d] = 1;
      g->in[d] = x->dims[1 + d];
      if (g->k[d] < 1 || g->k[d] > G_MAXINT32 || g->stride[d] < 1 || g->stride[d] > G_MAXINT32)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("attribute “%s” is invalid"),
                                   g->k[d] < 1 || g->k[d] > G_MAXINT32 ? "filter" : "stride");
      g->out[d] = lamina_conv_auto_pad (g_str_equal (padding, "SAME") ? "SAME_UPPER" : "VALID", g->in[d], g->k[d],
                                        g->stride[d], 1, &g->pad[d], &end);
      if (g->out[d] < 0)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("the window is larger than the padded input"));
    }
  lamina_conv_geom_dense (g, TRUE);
  return TRUE;
}

static gboolean
pool_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaConvGeom g;
  LaminaQParams p;
  LaminaDType yt;

  if (!lamina_kernel_check_inputs (call, 1, 1, error))
    return FALSE;
  yt = lamina_int8_output_dtype (call, 0, call->inputs[0]->dtype);
  if (!lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &p, error)
      || !lamina_int8_params (call, 0, TRUE, yt, &p, error) || !pool_geom (call, &g, error))
    return FALSE;
  if (call->outputs[0] == NULL)
    return TRUE;
  return lamina_value_set_shape (call->outputs[0], yt, 4, (gint64[]) { g.batch, g.out[0], g.out[1], g.cout }, error);
}

/* One output element: the window's maximum, or its mean rounded half away
 * from zero (TFLite's integer average pool), over the valid elements. */
/* Max or sum over the window of output pixel (oh, ow) for all channels at
 * once (acc[c], vectorised channel loops); returns the count of input
 * pixels inside the window. */
LAMINA_VECTOR_CLONES static gint32
pool_pixel (const LaminaConvGeom *g, const LaminaValue *x, gboolean is_max, gint64 n, gint64 oh, gint64 ow,
            gint32 *acc)
{
  gint64 cout = g->cout;
  gint32 count = 0;

  for (gint64 c = 0; c < cout; c++)
    acc[c] = is_max ? G_MININT32 : 0;
  for (gint64 kh = 0; kh < g->k[0]; kh++)
    for (gint64 kw = 0; kw < g->k[1]; kw++)
      {
        gint64 ih = oh * g->stride[0] - g->pad[0] + kh, iw = ow * g->stride[1] - g->pad[1] + kw;
        gint64 at = n * g->x_n + ih * g->x_sp[0] + iw * g->x_sp[1];
        const gint8 *x8;
        if (ih < 0 || ih >= g->in[0] || iw < 0 || iw >= g->in[1])
          continue;
        x8 = (const gint8 *) x->data + at;
        count++;
        if (x->dtype == LAMINA_DTYPE_INT8 && is_max)
          for (gint64 c = 0; c < cout; c++)
            acc[c] = MAX (acc[c], x8[c]);
        else if (x->dtype == LAMINA_DTYPE_INT8)
          for (gint64 c = 0; c < cout; c++)
            acc[c] += x8[c];
        else
          for (gint64 c = 0; c < cout; c++)
            {
              gint32 v = lamina_int8_load (x->data, x->dtype, at + c);
              acc[c] = is_max ? MAX (acc[c], v) : acc[c] + v;
            }
      }
  return count;
}

typedef struct {
  const LaminaConvGeom *g;
  const LaminaValue    *x;
  LaminaValue          *y;
  gboolean              is_max, requant;
  const LaminaRequant  *r;
  gint32                lo, hi;
} PoolJob;

/* One task per output row (n, oh). */
static void
pool_rows (gint64 begin, gint64 end, gpointer data)
{
  const PoolJob *j = data;
  const LaminaConvGeom *g = j->g;
  g_autofree gint32 *acc = g_new (gint32, MAX (g->cout, 1));

  for (gint64 r = begin; r < end; r++)
    for (gint64 ow = 0; ow < g->out[1]; ow++)
      {
        gint64 n = r / g->out[0], oh = r % g->out[0], i = (r * g->out[1] + ow) * g->cout;
        gint32 count = pool_pixel (g, j->x, j->is_max, n, oh, ow, acc);
        for (gint64 c = 0; c < g->cout; c++)
          {
            gint32 v = acc[c], sum = acc[c];
            if (count == 0)
              v = 0;
            else if (!j->is_max)
              v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
            if (j->requant)
              v = lamina_int8_requant_apply (j->r, v);
            lamina_int8_store (j->y->data, j->y->dtype, i + c, lamina_fixed_clamp (v, j->lo, j->hi));
          }
      }
}

static gboolean
pool_run (LaminaKernelCall *call, GError **error)
{
  const LaminaValue *x = call->inputs[0];
  LaminaValue *y = call->outputs[0];
  LaminaQParams px, py;
  LaminaRequant r;
  LaminaConvGeom g;
  PoolJob j = { &g, x, y, g_str_equal (call->node->op_type, "MaxPool2D") };

  if (y == NULL)
    return TRUE;
  if (!pool_geom (call, &g, error) || !lamina_int8_params (call, 0, FALSE, x->dtype, &px, error)
      || !lamina_int8_params (call, 0, TRUE, y->dtype, &py, error)
      || !lamina_int8_activation_range (call, &py, &j.lo, &j.hi, error) || !lamina_int8_requant_init (call, &r, &px, &py, error))
    return FALSE;
  /* max and mean commute with the (monotonic, affine) requantization */
  j.requant = !same_params (&px, &py);
  j.r = &r;
  lamina_parallel_for (call->parallel, g.batch * g.out[0], 1, pool_rows, &j);
  return TRUE;
}

/* ---- data movement ------------------------------------------------------------------ */

/* Reshape, StridedSlice, Pad ... move bytes: the float family's kernel does
 * that for any dtype (Pad fills with the zero point). These wrappers add
 * the requantization when an output's parameters differ from the input's. */
static const LaminaKernel *
moving_kernel (const LaminaKernelCall *call)
{
  return lamina_kernel_lookup (call->node->op_type, call->node->domain);
}

/* The wrapped kernel's own state, if it has any. */
typedef struct {
  const LaminaKernel *kernel;
  gpointer            inner;
} MovingState;

static gboolean
moving_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  const LaminaKernel *k = moving_kernel (call);
  gpointer inner = NULL;
  MovingState *st;

  if (k == NULL || k->prepare == NULL)
    return TRUE;
  if (!k->prepare (call, &inner, error))
    return FALSE;
  if (inner == NULL)
    return TRUE;
  st = g_new (MovingState, 1);
  st->kernel = k;
  st->inner = inner;
  *state = st;
  return TRUE;
}

static void
moving_free_state (gpointer state)
{
  MovingState *st = state;

  if (st->kernel->free_state != NULL)
    st->kernel->free_state (st->inner);
  g_free (st);
}

/* Calls the wrapped kernel's reshape or run with its own state. */
static gboolean
moving_call (LaminaKernelCall *call, gboolean run, GError **error)
{
  const LaminaKernel *k = moving_kernel (call);
  MovingState *st = call->state;
  gboolean ok;

  g_autofree LaminaValue *copies = g_new0 (LaminaValue, MAX (call->n_inputs, 1));
  g_autofree const LaminaValue **inputs = g_new0 (const LaminaValue *, MAX (call->n_inputs, 1));
  LaminaKernelCall inner = *call;

  if (k == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED, _("no kernel for this operator"));
  /* the wrapped kernel sees the graph's parameters on the values (Pad
   * reads the zero point from its input value) */
  for (guint i = 0; i < call->n_inputs; i++)
    {
      inputs[i] = call->inputs[i];
      if (inputs[i] != NULL && inputs[i]->quant == NULL && lamina_int8_quant (call, i, FALSE) != NULL)
        {
          copies[i] = *inputs[i];
          copies[i].quant = lamina_int8_quant (call, i, FALSE);
          inputs[i] = &copies[i];
        }
    }
  inner.inputs = inputs;
  inner.state = st ? st->inner : NULL;
  ok = run ? k->run (&inner, error) : k->reshape (&inner, error);
  return ok;
}

static gboolean
moving_reshape (LaminaKernelCall *call, GError **error)
{
  LaminaQParams p;

  if (!lamina_kernel_check_inputs (call, 1, G_MAXUINT, error)
      || !lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &p, error))
    return FALSE;
  return moving_call (call, FALSE, error);
}

static gboolean
moving_run (LaminaKernelCall *call, GError **error)
{
  LaminaQParams px, py;
  LaminaRequant r;

  if (!moving_call (call, TRUE, error) || !lamina_int8_params (call, 0, FALSE, call->inputs[0]->dtype, &px, error))
    return FALSE;
  for (guint i = 0; i < call->n_outputs; i++)
    {
      LaminaValue *y = call->outputs[i];
      if (y == NULL || lamina_int8_quant (call, i, TRUE) == NULL)
        continue;   /* no parameters of its own: the input's */
      if (!lamina_int8_params (call, i, TRUE, y->dtype, &py, error))
        return FALSE;
      if (same_params (&px, &py))
        continue;
      if (!lamina_int8_requant_init (call, &r, &px, &py, error))
        return FALSE;
      lamina_int8_requantize (call->parallel, &r, y->data, y->dtype, y->data, y->dtype, y->numel);
    }
  return TRUE;
}

/* ---- the table -------------------------------------------------------------------- */

#define K(op, name) { op, "", NULL, name##_reshape, name##_run, NULL, FALSE }
#define K2(op, reshape, run) { op, "", NULL, reshape, run, NULL, FALSE }
#define K_MOVE(op) { op, "", moving_prepare, moving_reshape, moving_run, moving_free_state, FALSE }

/* Sorted by op_type. */
const LaminaKernel lamina_kernels_integer[] = {
  K2 ("Add", binary_reshape, add_run),                               /* TFLite */
  K2 ("AveragePool2D", pool_reshape, pool_run),                      /* TFLite */
  K ("Concatenation", concat),                                       /* TFLite */
  { "Conv2D", "", lamina_int8_conv2d_prepare, lamina_int8_conv2d_reshape, lamina_int8_conv2d_run,   /* TFLite */
    lamina_int8_conv_state_free, FALSE },
  K2 ("ConvInteger", lamina_int8_conv_integer_reshape, lamina_int8_conv_integer_run),
  K_MOVE ("DepthToSpace"),
  K2 ("DepthwiseConv2D", lamina_int8_depthwise_reshape, lamina_int8_depthwise_run), /* TFLite */
  K ("Dequantize", dequantize),                                      /* TFLite */
  K ("DequantizeLinear", dequantize_linear),
  K ("DynamicQuantizeLinear", dynamic_quantize_linear),
  K_MOVE ("ExpandDims"),
  K_MOVE ("Gather"),
  K2 ("HardSwish", table_reshape, table_run),                        /* TFLite */
  K2 ("Logistic", table_reshape, table_run),                         /* TFLite */
  { "LookupTable", "lamina", NULL, lookup_table_reshape, lookup_table_run, NULL, FALSE },   /* fused QDQ */
  K2 ("MatMulInteger", lamina_int8_matmul_integer_reshape, lamina_int8_matmul_integer_run),
  K2 ("MaxPool2D", pool_reshape, pool_run),                          /* TFLite */
  K2 ("Mul", binary_reshape, mul_run),                               /* TFLite */
  K_MOVE ("Pad"),
  K_MOVE ("PadV2"),
  { "QLinearConv", "", lamina_int8_qlinear_conv_prepare, lamina_int8_qlinear_conv_reshape,
    lamina_int8_qlinear_conv_run, lamina_int8_conv_state_free, FALSE },
  K2 ("QLinearMatMul", lamina_int8_qlinear_matmul_reshape, lamina_int8_qlinear_matmul_run),
  K ("Quantize", quantize),                                          /* TFLite */
  K ("QuantizeLinear", quantize_linear),
  K_MOVE ("Reshape"),
  K_MOVE ("ResizeNearestNeighbor"),
  K_MOVE ("Slice"),
  K_MOVE ("SpaceToDepth"),
  K_MOVE ("Squeeze"),
  K_MOVE ("StridedSlice"),
  K2 ("Tanh", table_reshape, table_run),                             /* TFLite */
  K_MOVE ("Transpose"),
  /* ONNX Runtime's contrib operators, the ONNX ones under another domain:
   * its quantizer (and Lamina's) writes int16 QDQ with these */
  { "DequantizeLinear", "com.microsoft", NULL, dequantize_linear_reshape, dequantize_linear_run, NULL, FALSE },
  { "QuantizeLinear", "com.microsoft", NULL, quantize_linear_reshape, quantize_linear_run, NULL, FALSE },
};
const guint lamina_n_kernels_integer = G_N_ELEMENTS (lamina_kernels_integer);
