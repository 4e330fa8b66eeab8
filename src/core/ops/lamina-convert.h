/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-convert.h: element type conversion of whole buffers (private to
 * src/core/ops): Cast, Dequantize of float16 weights, and kernels that widen
 * narrow inputs to their compute type.
 *
 * Conversions follow NumPy's astype: float → integer truncates toward zero
 * (NaN → 0, saturating at the int64 range first, then wrapping like C for
 * narrower integers), anything → bool is "≠ 0", float → float16/bfloat16
 * rounds to nearest even. Integer ↔ integer goes through int64 so 64-bit
 * values survive exactly.
 */
#pragma once

#include "lamina-value.h"

G_BEGIN_DECLS

/* TRUE for the dtypes lamina_convert handles (every numeric type and bool). */
gboolean lamina_convert_supported (LaminaDType dtype);
/* Converts n elements of src (dtype src_type) into dst (dtype dst_type).
 * dst and src must not overlap unless the types are equal and dst == src. */
void     lamina_convert (void *dst, LaminaDType dst_type, const void *src, LaminaDType src_type,
                         gint64 n);

/* v's elements as `to`: v's own buffer when it already is, else a
 * converted copy stored in *tmp (the caller frees *tmp). */
const void *lamina_convert_view (const LaminaValue *v, LaminaDType to, gpointer *tmp);

G_END_DECLS
