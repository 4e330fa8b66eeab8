/* SPDX-License-Identifier: GPL-3.0-or-later */
/* STUB: replaced by the ONNX loader. */
#define G_LOG_DOMAIN "lamina-onnx"
#include "lamina-onnx.h"
gboolean lamina_onnx_sniff (const guint8 *data, gsize size) { return size > 0 && data[0] == 0x08; }
LaminaModel *lamina_onnx_load (GBytes *bytes, const char *path, GError **error)
{ g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_UNSUPPORTED, "not yet"); return NULL; }
