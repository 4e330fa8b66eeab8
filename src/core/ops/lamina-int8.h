/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-int8.h: helpers of the integer kernels (lamina-ops-int8.c,
 * lamina-int8-conv.c); private to src/core/ops.
 *
 * Integer activations are int8, uint8 or int16 tensors with per-tensor
 * quantization (real = scale · (q − zero)); the arithmetic is
 * lamina-fixed.h's. Quantization parameters come from the runtime value
 * when it has them, else from the graph tensor (TFLite files).
 */
#pragma once

#include "lamina-kernel.h"
#include "lamina-fixed.h"
#include "lamina-conv.h"

G_BEGIN_DECLS

typedef struct {
  LaminaDType dtype;
  float       scale;
  gint32      zero;
  gint32      lo, hi;     /* range of dtype */
} LaminaQParams;

/* x ↦ clamp (x − in_zero) · M + out_zero into [lo, hi], M = s_in / s_out */
typedef struct {
  gint32 multiplier;
  int    shift;
  gint32 in_zero, out_zero, lo, hi;
} LaminaRequant;

/* The quantization of input or output i (value first, then tensor), or NULL. */
const LaminaQuant *lamina_int8_quant (const LaminaKernelCall *call, guint i, gboolean output);
/* int8, uint8, int16: the dtypes of integer activations */
gboolean lamina_int8_is_activation_dtype (LaminaDType dtype);
/* The per-tensor parameters of input i or output i of dtype `dtype`
 * (an activation dtype); an error names the tensor otherwise. */
gboolean lamina_int8_params (const LaminaKernelCall *call, guint i, gboolean output, LaminaDType dtype,
                             LaminaQParams *p, GError **error);
/* The dtype of output i as the graph declares it (TFLite), or fallback. */
LaminaDType lamina_int8_output_dtype (const LaminaKernelCall *call, guint i, LaminaDType fallback);
/* Output range [lo, hi] after TFLite's fused_activation_function
 * (TFLite's CalculateActivationRangeQuantized), narrowed by call->clamp. */
gboolean lamina_int8_activation_range (const LaminaKernelCall *call, const LaminaQParams *out, gint32 *lo,
                                       gint32 *hi, GError **error);
/* Multiplier s_in / s_out; FALSE (+ error) when it cannot be represented. */
gboolean lamina_int8_requant_init (const LaminaKernelCall *call, LaminaRequant *r, const LaminaQParams *in,
                                   const LaminaQParams *out, GError **error);
/* "inputs int8[1,2] and int8[3] do not fit together" */
gboolean lamina_int8_fail_shapes (const LaminaKernelCall *call, guint i, guint j, GError **error);
/* y[i] = requantized x[i] for n elements (x and y may have different dtypes). */
void     lamina_int8_requantize (LaminaParallel *p, const LaminaRequant *r, const void *x, LaminaDType xt,
                                 void *y, LaminaDType yt, gint64 n);

static inline gint32
lamina_int8_load (const void *data, LaminaDType t, gint64 i)
{
  switch (t)
    {
    case LAMINA_DTYPE_INT8:
      return ((const gint8 *) data)[i];
    case LAMINA_DTYPE_UINT8:
      return ((const guint8 *) data)[i];
    case LAMINA_DTYPE_INT16:
      return ((const gint16 *) data)[i];
    case LAMINA_DTYPE_UINT16:
      return ((const guint16 *) data)[i];
    case LAMINA_DTYPE_INT32:
      return ((const gint32 *) data)[i];
    default:
      return 0;
    }
}

/* v must be in the range of t */
static inline void
lamina_int8_store (void *data, LaminaDType t, gint64 i, gint32 v)
{
  switch (t)
    {
    case LAMINA_DTYPE_INT8:
      ((gint8 *) data)[i] = (gint8) v;
      break;
    case LAMINA_DTYPE_UINT8:
      ((guint8 *) data)[i] = (guint8) v;
      break;
    case LAMINA_DTYPE_INT16:
      ((gint16 *) data)[i] = (gint16) v;
      break;
    case LAMINA_DTYPE_UINT16:
      ((guint16 *) data)[i] = (guint16) v;
      break;
    case LAMINA_DTYPE_INT32:
      ((gint32 *) data)[i] = v;
      break;
    default:
      break;
    }
}

static inline gint32
lamina_int8_requant_apply (const LaminaRequant *r, gint32 x)
{
  return lamina_fixed_clamp (lamina_fixed_mul (x - r->in_zero, r->multiplier, r->shift) + r->out_zero, r->lo, r->hi);
}

/* Integer kernels of lamina-int8-conv.c (convolution and matrix products). */
gboolean lamina_int8_conv2d_reshape      (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_conv2d_run          (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_depthwise_reshape   (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_depthwise_run       (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_qlinear_conv_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_qlinear_conv_run    (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_conv_integer_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_conv_integer_run    (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_qlinear_matmul_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_qlinear_matmul_run  (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_matmul_integer_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_int8_matmul_integer_run  (LaminaKernelCall *call, GError **error);

/* The integer convolution over a LaminaConvGeom (lamina-conv.h) with
 * zero points already subtracted: acc = bias[o] + Σ x·w over the window
 * (padding contributes 0), written in y's layout. */
void lamina_int8_conv_reference (const LaminaConvGeom *g, const gint16 *x, const gint16 *w, const gint32 *bias,
                                 gint32 *acc);
/* The same result; im2col rows and vector dot products for channels-last
 * convolutions with one group, else the reference. */
void lamina_int8_conv_fast      (LaminaParallel *p, const LaminaConvGeom *g, const gint16 *x, const gint16 *w,
                                 const gint32 *bias, gint32 *acc);

G_END_DECLS
