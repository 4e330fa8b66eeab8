/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-model-load.h: the one entry point that opens any model file.
 * The format is detected from the content (ONNX protobuf, TFLite flatbuffer
 * with identifier "TFL3", Lamina offline file), never from the file name.
 */
#pragma once

#include <gio/gio.h>
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

#define LAMINA_LOAD_ERROR (lamina_load_error_quark ())
GQuark lamina_load_error_quark (void);

typedef enum {
  LAMINA_LOAD_ERROR_UNKNOWN_FORMAT, /* not a model Lamina recognises */
  LAMINA_LOAD_ERROR_CORRUPT,        /* recognised, but malformed */
  LAMINA_LOAD_ERROR_UNSUPPORTED,    /* valid, but uses something Lamina does not read */
  LAMINA_LOAD_ERROR_IO,             /* could not read the file (or external data) */
} LaminaLoadError;

LaminaFormat lamina_detect_format (const guint8 *data, gsize size);

/* Loads a model. Every error message starts with the file's base name. */
LaminaModel *lamina_model_load (const char *path, GError **error);

/* Loads from memory; `path` is used for messages and to find ONNX external
 * data files (may be NULL). The model keeps a reference to `bytes`. */
LaminaModel *lamina_model_load_bytes (GBytes *bytes, const char *path, GError **error);

G_END_DECLS
