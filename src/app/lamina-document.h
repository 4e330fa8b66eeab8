/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-document.h: an open model in the application. Wraps the plain-C
 * LaminaModel of liblamina in a reference-counted GObject so that windows
 * and widgets can share it; loading happens off the main thread.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-model-load.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_DOCUMENT (lamina_document_get_type ())
G_DECLARE_FINAL_TYPE (LaminaDocument, lamina_document, LAMINA, DOCUMENT, GObject)

/* Loads the model in a worker thread. */
void            lamina_document_load_async  (GFile               *file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LaminaDocument *lamina_document_load_finish (GAsyncResult        *result,
                                             GError             **error);
/* Synchronous variant (tests, the CLI-like --screenshot path). */
LaminaDocument *lamina_document_load        (GFile               *file,
                                             GCancellable        *cancellable,
                                             GError             **error);

GFile          *lamina_document_get_file    (LaminaDocument *self);
/* Base name of the file, for window titles. */
const char     *lamina_document_get_title   (LaminaDocument *self);
/* The model; owned by the document, valid while the document lives. */
LaminaModel    *lamina_document_get_model   (LaminaDocument *self);
/* Milliseconds spent loading (for --timings). */
double          lamina_document_get_load_ms (LaminaDocument *self);

G_END_DECLS
