/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-kernel-check.h: validation helpers shared by kernels (private to
 * src/core/ops), so that every kernel reports the same mistakes in the same
 * words.
 */
#pragma once

#include "lamina-kernel.h"

G_BEGIN_DECLS

/* TFLite models carry no opset: the engine passes 0 for their nodes. Kernels
 * whose name exists in both formats with different meanings (Sum, Mean:
 * variadic in ONNX, reductions in TFLite) tell them apart with this. */
static inline gboolean
lamina_kernel_is_tflite (const LaminaKernelCall *call)
{
  return call->opset <= 0;
}

/* Between min and max inputs, the first min of them present. */
gboolean lamina_kernel_check_inputs (const LaminaKernelCall *call, guint min, guint max,
                                     GError **error);
/* Fails with "input i: type T is not supported". */
gboolean lamina_kernel_fail_dtype   (const LaminaKernelCall *call, guint i, GError **error);
/* Fails unless inputs i and j have the same dtype. */
gboolean lamina_kernel_check_same_dtype (const LaminaKernelCall *call, guint i, guint j,
                                         GError **error);
/* Fails when an integer input carries quantization parameters (its own or
 * its graph tensor's): the float kernels would compute on raw integers.
 * Quantized kernels are separate (issue 5). */
gboolean lamina_kernel_check_not_quantized (const LaminaKernelCall *call, GError **error);
/* axis in [-rank, rank) → [0, rank); fails otherwise. */
gboolean lamina_kernel_axis (const LaminaKernelCall *call, gint64 axis, int rank, int *out,
                             GError **error);

G_END_DECLS
