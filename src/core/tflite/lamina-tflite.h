/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tflite.h: TFLite flatbuffer reader, reading in place from the
 * (mapped) file after validating every offset it follows.
 */
#pragma once

#include "lamina-model-load.h"

G_BEGIN_DECLS

LaminaModel *lamina_tflite_load (GBytes *bytes, const char *path, GError **error);

/* True when the buffer carries the "TFL3" file identifier at offset 4. */
gboolean     lamina_tflite_sniff (const guint8 *data, gsize size);

G_END_DECLS
