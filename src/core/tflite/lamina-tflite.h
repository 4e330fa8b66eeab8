/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tflite.h: TFLite flatbuffer reader, reading in place from the
 * (mapped) file after validating every offset it follows.
 *
 * What the IR gets from a .tflite file:
 * - one LaminaGraph per subgraph (model->graphs[0] == model->graph);
 * - nodes in file order, op_type the builtin operator in CamelCase as Netron
 *   shows it ("Conv2D", "DepthwiseConv2D", "ResizeNearestNeighbor"), or the
 *   custom code with is_custom set; a node's name is its first output's;
 * - builtin options as attributes named after the schema's fields
 *   (padding "SAME"/"VALID", stride_w, fused_activation_function "RELU6" ...,
 *   defaults filled in); custom options as "custom_options" (size and first
 *   bytes) plus one attribute per key when they are a FlexBuffer map;
 * - tensors with dtype, shape (shape_signature's -1 → unknown dimension),
 *   quantization (per tensor, or per axis with axis = quantized_dimension),
 *   is_variable, and constant data as slices of model->file_data;
 * - format_version "TFLite v3", description, producer (the description and
 *   the minimum runtime version), metadata entries and signature defs.
 */
#pragma once

#include "lamina-model-load.h"

G_BEGIN_DECLS

LaminaModel *lamina_tflite_load (GBytes *bytes, const char *path, GError **error);

/* True when the buffer carries the "TFL3" file identifier at offset 4. */
gboolean     lamina_tflite_sniff (const guint8 *data, gsize size);

G_END_DECLS
