/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-ops-private.h: kernels of one family file called from another
 * (private to src/core/ops). The registry holds one kernel per name, and a
 * few names mean different operations in ONNX and TFLite: ONNX Sum and Mean
 * are variadic elementwise operations, TFLite's are reductions.
 */
#pragma once

#include "lamina-kernel.h"

G_BEGIN_DECLS

/* TFLite Sum and Mean (data, axes; keep_dims), in lamina-ops-reduce.c. */
gboolean lamina_reduce_tflite_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_reduce_tflite_run     (LaminaKernelCall *call, GError **error);

G_END_DECLS
