/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-ops"

#include <glib/gi18n.h>
#include "lamina-kernel-check.h"

gboolean
lamina_kernel_check_inputs (const LaminaKernelCall *call, guint min, guint max, GError **error)
{
  if (call->n_inputs < min || call->n_inputs > max)
    {
      if (min == max)
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                   _("expects %u inputs, got %u"), min, call->n_inputs);
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("expects %u to %u inputs, got %u"), min, max, call->n_inputs);
    }
  for (guint i = 0; i < min; i++)
    if (call->inputs[i] == NULL)
      return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                                 _("input %u is required"), i);
  return TRUE;
}

gboolean
lamina_kernel_fail_dtype (const LaminaKernelCall *call, guint i, GError **error)
{
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                             _("input %u: type %s is not supported"), i,
                             lamina_dtype_name (call->inputs[i]->dtype));
}

gboolean
lamina_kernel_check_same_dtype (const LaminaKernelCall *call, guint i, guint j, GError **error)
{
  if (call->inputs[i]->dtype == call->inputs[j]->dtype)
    return TRUE;
  return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                             _("inputs %u and %u have different types (%s, %s)"), i, j,
                             lamina_dtype_name (call->inputs[i]->dtype),
                             lamina_dtype_name (call->inputs[j]->dtype));
}

gboolean
lamina_kernel_check_not_quantized (const LaminaKernelCall *call, GError **error)
{
  for (guint i = 0; i < call->n_inputs; i++)
    {
      const LaminaValue *v = call->inputs[i];
      const LaminaTensor *t = i < call->node->inputs->len ? g_ptr_array_index (call->node->inputs, i) : NULL;
      if (v == NULL || !lamina_dtype_is_integer (v->dtype))
        continue;
      if (v->quant != NULL || (t != NULL && t->quant != NULL))
        return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_UNSUPPORTED,
                                   _("input %u is quantized, which this kernel does not support"), i);
    }
  return TRUE;
}

gboolean
lamina_kernel_axis (const LaminaKernelCall *call, gint64 axis, int rank, int *out, GError **error)
{
  gint64 a = axis < 0 ? axis + rank : axis;

  if (a < 0 || a >= MAX (rank, 1))
    return lamina_kernel_fail (call, error, LAMINA_KERNEL_ERROR_INVALID,
                               _("axis %lld is outside a tensor of rank %d"),
                               (long long) axis, rank);
  *out = (int) a;
  return TRUE;
}

