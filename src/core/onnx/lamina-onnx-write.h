/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-onnx-write.h: Lamina IR → ONNX ModelProto (the writer of QDQ
 * files made by the quantizer; any model read from ONNX round-trips).
 *
 * Written: IR version, opset imports (every domain of model->opsets),
 * producer, doc string, metadata_props, the main graph with its nodes (all
 * attribute types, tensor attributes included; GRAPH attributes recursively),
 * initializers as raw_data (strings as string_data), graph inputs and
 * outputs, and value_info with dtype and shape for every other tensor whose
 * dtype is known. Not written: TFLite-only details (per-tensor quant
 * parameters, which ONNX expresses with QuantizeLinear/DequantizeLinear
 * nodes instead), external data (weights go inline; a model over protobuf's
 * 2 GiB limit fails with an error).
 */
#pragma once

#include "lamina-model-load.h"

G_BEGIN_DECLS

/* Serialises model to ONNX bytes. */
GBytes  *lamina_onnx_write_bytes (const LaminaModel *model, GError **error);

/* Writes model to path atomically: a temporary file in the same folder is
 * renamed into place, so a failed write leaves an existing file intact. */
gboolean lamina_onnx_write (const LaminaModel *model, const char *path, GError **error);

G_END_DECLS
