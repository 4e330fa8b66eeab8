/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-onnx.h: ONNX protobuf reader (and, later, writer).
 */
#pragma once

#include "lamina-model-load.h"

G_BEGIN_DECLS

/* Parses an ONNX ModelProto. `path` names the file in messages and locates
 * external data (which must stay inside the model's folder). */
LaminaModel *lamina_onnx_load (GBytes *bytes, const char *path, GError **error);

/* Parses a serialized TensorProto (e.g. the input_N.pb / output_N.pb files
 * of ONNX's backend tests) into a free-standing constant tensor; its data
 * GBytes keeps the parsed message alive. Free with lamina_tensor_free. */
LaminaTensor *lamina_onnx_load_tensor (GBytes *bytes, const char *path, GError **error);

/* Cheap content sniffing: does this look like an ONNX ModelProto? */
gboolean     lamina_onnx_sniff (const guint8 *data, gsize size);

G_END_DECLS
