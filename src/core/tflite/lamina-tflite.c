/* SPDX-License-Identifier: GPL-3.0-or-later */
/* STUB: replaced by the TFLite loader. */
#define G_LOG_DOMAIN "lamina-tflite"
#include <string.h>
#include "lamina-tflite.h"
gboolean lamina_tflite_sniff (const guint8 *data, gsize size) { return size >= 8 && memcmp (data + 4, "TFL3", 4) == 0; }
LaminaModel *lamina_tflite_load (GBytes *bytes, const char *path, GError **error)
{ g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_UNSUPPORTED, "not yet"); return NULL; }
