/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-resize.h: one resize routine for ONNX Resize and Upsample and
 * TFLite ResizeBilinear and ResizeNearestNeighbor, private to src/core/ops.
 * The operators differ only in how an output coordinate maps to input
 * coordinates and weights; that becomes a per-axis table, and one
 * separable pass per resized axis applies it.
 */
#pragma once

#include "lamina-kernel.h"

G_BEGIN_DECLS

/* reshape and run for all four operators (they read node->op_type). */
gboolean lamina_resize_reshape (LaminaKernelCall *call, GError **error);
gboolean lamina_resize_run     (LaminaKernelCall *call, GError **error);

G_END_DECLS
