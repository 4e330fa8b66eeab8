/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-fallback.c: "float fallback" (issue 5) — a quantized node whose
 * operator has no integer kernel runs its float kernel between a
 * dequantize and a quantize, as an NPU toolchain runs such a layer on the
 * CPU: every quantized integer input becomes float32 s·(q − z), the float
 * kernel computes, and every output the graph declares as a quantized
 * integer is quantized with that tensor's parameters, round (x / s) + z
 * half away from zero and saturated (TFLite's rounding, as the rest of the
 * integer kernels). Inputs and outputs that are not quantized pass as
 * they are. lamina_kernel_lookup_node returns this kernel for such nodes.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <glib/gi18n.h>
#include "lamina-int8.h"

typedef struct {
  const LaminaKernel *inner;        /* the float kernel */
  gpointer            inner_state;
  guint               n_inputs, n_outputs;
  LaminaValue        *in_f;         /* dequantized inputs */
  const LaminaValue **in_ptrs;      /* what the float kernel reads */
  LaminaValue        *out_f;        /* float results of quantized outputs */
  LaminaValue       **out_ptrs;     /* what the float kernel writes */
} Fallback;

static const LaminaQuant *
value_quant (const LaminaValue *v, GPtrArray *tensors, guint i)
{
  const LaminaTensor *t = i < tensors->len ? g_ptr_array_index (tensors, i) : NULL;

  if (v != NULL && v->quant != NULL)
    return v->quant;
  return t != NULL ? t->quant : NULL;
}

/* The graph's quantized integer tensor i of `tensors`, or NULL. */
static const LaminaTensor *
quantized_tensor (GPtrArray *tensors, guint i)
{
  const LaminaTensor *t = i < tensors->len ? g_ptr_array_index (tensors, i) : NULL;

  return t != NULL && t->quant != NULL && lamina_int8_is_activation_dtype (t->dtype) ? t : NULL;
}

/* Per-tensor or per-axis parameters that fit v; FALSE otherwise. */
static gboolean
quant_fits (const LaminaQuant *q, const LaminaValue *v)
{
  return q != NULL && q->n > 0 && q->scale != NULL && (q->axis >= 0 || q->n == 1)
         && (q->axis < 0 || (q->axis < v->rank && (gint64) q->n == v->dims[q->axis]));
}

/* Elements after one step along axis (the channel stride). */
static gint64
axis_stride (const LaminaValue *v, int axis)
{
  gint64 inner = 1;

  for (int d = axis + 1; d < v->rank; d++)
    inner *= v->dims[d];
  return MAX (inner, 1);
}

static guint
channel_of (const LaminaQuant *q, gint64 i, gint64 stride)
{
  return q->axis >= 0 ? (guint) ((i / stride) % q->n) : 0;
}

static gboolean
dequantize (const LaminaKernelCall *call, const LaminaValue *x, const LaminaQuant *q, LaminaValue *y,
            GError **error)
{
  gint64 stride;
  float *yf;

  if (!quant_fits (q, x))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("missing or invalid quantization parameters"));
  if (!lamina_value_set_shape (y, LAMINA_DTYPE_FLOAT32, x->rank, x->dims, error) || !lamina_value_alloc (y, error))
    return FALSE;
  stride = q->axis >= 0 ? axis_stride (x, q->axis) : 1;
  yf = y->data;
  for (gint64 i = 0; i < x->numel; i++)
    {
      guint c = channel_of (q, i, stride);
      gint64 zero = q->zero_point ? q->zero_point[c] : 0;
      yf[i] = (float) ((double) q->scale[c] * (double) (lamina_int8_load (x->data, x->dtype, i) - zero));
    }
  return TRUE;
}

static gboolean
quantize (const LaminaKernelCall *call, const LaminaValue *x, const LaminaQuant *q, LaminaValue *y, GError **error)
{
  const float *xf = x->data;
  gint32 lo, hi;
  gint64 stride;

  if (!quant_fits (q, y) || !lamina_fixed_range (y->dtype, &lo, &hi))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID, _("missing or invalid quantization parameters"));
  stride = q->axis >= 0 ? axis_stride (y, q->axis) : 1;
  for (gint64 i = 0; i < y->numel; i++)
    {
      guint c = channel_of (q, i, stride);
      gint64 zero = q->zero_point ? q->zero_point[c] : 0;
      float steps = q->scale[c] > 0 ? xf[i] / q->scale[c] : NAN;
      /* NaN becomes the zero point; far outside the range saturates */
      gint64 v = isnan (steps) ? zero : zero + lamina_fixed_round (CLAMP (steps, -1e12f, 1e12f));
      lamina_int8_store (y->data, y->dtype, i, (gint32) CLAMP (v, lo, hi));
    }
  return TRUE;
}

static void
fallback_free_state (gpointer data)
{
  Fallback *f = data;

  if (f->inner_state && f->inner->free_state)
    f->inner->free_state (f->inner_state);
  for (guint i = 0; i < f->n_inputs; i++)
    lamina_value_clear (&f->in_f[i]);
  for (guint i = 0; i < f->n_outputs; i++)
    lamina_value_clear (&f->out_f[i]);
  g_free (f->in_f);
  g_free (f->in_ptrs);
  g_free (f->out_f);
  g_free (f->out_ptrs);
  g_free (f);
}

/* The call the float kernel sees: dequantized inputs (NULL stays NULL),
 * float buffers in place of quantized outputs. */
static gboolean
inner_call (const LaminaKernelCall *call, Fallback *f, LaminaKernelCall *inner, GError **error)
{
  for (guint i = 0; i < call->n_inputs; i++)
    {
      const LaminaValue *v = call->inputs[i];
      f->in_ptrs[i] = v;
      if (v != NULL && lamina_int8_is_activation_dtype (v->dtype) && value_quant (v, call->node->inputs, i) != NULL)
        {
          if (!dequantize (call, v, value_quant (v, call->node->inputs, i), &f->in_f[i], error))
            return FALSE;
          f->in_ptrs[i] = &f->in_f[i];
        }
    }
  for (guint i = 0; i < call->n_outputs; i++)
    f->out_ptrs[i] = call->outputs[i] && quantized_tensor (call->node->outputs, i) ? &f->out_f[i] : call->outputs[i];
  *inner = *call;
  inner->inputs = f->in_ptrs;
  inner->outputs = f->out_ptrs;
  inner->state = f->inner_state;
  inner->clamp = NULL;
  return TRUE;
}

static gboolean
fallback_prepare (LaminaKernelCall *call, gpointer *state, GError **error)
{
  g_autoptr(GError) local = NULL;
  LaminaKernelCall inner;
  Fallback *f = g_new0 (Fallback, 1);

  f->inner = lamina_kernel_lookup (call->node->op_type, call->node->domain);
  f->n_inputs = call->n_inputs;
  f->n_outputs = call->n_outputs;
  f->in_f = g_new0 (LaminaValue, MAX (call->n_inputs, 1));
  f->in_ptrs = g_new0 (const LaminaValue *, MAX (call->n_inputs, 1));
  f->out_f = g_new0 (LaminaValue, MAX (call->n_outputs, 1));
  f->out_ptrs = g_new0 (LaminaValue *, MAX (call->n_outputs, 1));
  *state = f;
  if (f->inner == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED, _("no float kernel to fall back on"));
  if (f->inner->prepare == NULL)
    return TRUE;
  /* prepare sees the constant inputs, dequantized like the others */
  if (!inner_call (call, f, &inner, error))
    return FALSE;
  return f->inner->prepare (&inner, &f->inner_state, error);
}

static gboolean
fallback_reshape (LaminaKernelCall *call, GError **error)
{
  Fallback *f = call->state;
  LaminaKernelCall inner;

  if (f == NULL || f->inner == NULL)
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED, _("no float kernel to fall back on"));
  if (!inner_call (call, f, &inner, error) || !f->inner->reshape (&inner, error))
    return FALSE;
  for (guint i = 0; i < call->n_outputs; i++)
    {
      const LaminaTensor *t = quantized_tensor (call->node->outputs, i);
      if (call->outputs[i] == NULL || t == NULL)
        continue;
      if (f->out_f[i].dtype != LAMINA_DTYPE_FLOAT32)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                   _("output %u of the float kernel is not float32"), i);
      if (!lamina_value_set_shape (call->outputs[i], t->dtype, f->out_f[i].rank, f->out_f[i].dims, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fallback_run (LaminaKernelCall *call, GError **error)
{
  Fallback *f = call->state;
  LaminaKernelCall inner = *call;

  /* reshape dequantized the inputs of this run and set up the pointers */
  inner.inputs = f->in_ptrs;
  inner.outputs = f->out_ptrs;
  inner.state = f->inner_state;
  inner.clamp = NULL;
  for (guint i = 0; i < call->n_outputs; i++)
    if (f->out_ptrs[i] == &f->out_f[i] && !lamina_value_alloc (&f->out_f[i], error))
      return FALSE;
  if (!f->inner->run (&inner, error))
    return FALSE;
  for (guint i = 0; i < call->n_outputs; i++)
    if (f->out_ptrs[i] == &f->out_f[i] &&
        !quantize (call, &f->out_f[i], value_quant (call->outputs[i], call->node->outputs, i), call->outputs[i], error))
      return FALSE;
  return TRUE;
}

const LaminaKernel lamina_kernel_fallback = {
  "float fallback", "", fallback_prepare, fallback_reshape, fallback_run, fallback_free_state, FALSE
};
