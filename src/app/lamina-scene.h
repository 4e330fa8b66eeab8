/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-scene.h: one graph of a document laid out for drawing. Holds a
 * reference on the document (the layout borrows its graph), so the canvas,
 * the minimap and a running export can share it safely. The layout is
 * computed in a worker thread with progress reports.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-document.h"
#include "layout/lamina-layout.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_SCENE (lamina_scene_get_type ())
G_DECLARE_FINAL_TYPE (LaminaScene, lamina_scene, LAMINA, SCENE, GObject)

/* progress is called on the thread-default main context of the caller. */
void          lamina_scene_new_async  (LaminaDocument      *document,
                                       LaminaGraph         *graph,
                                       LaminaProgressFunc   progress,
                                       gpointer             progress_data,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
LaminaScene  *lamina_scene_new_finish (GAsyncResult        *result,
                                       GError             **error);

LaminaDocument     *lamina_scene_get_document  (LaminaScene *self);
LaminaGraph        *lamina_scene_get_graph     (LaminaScene *self);
const LaminaLayout *lamina_scene_get_layout    (LaminaScene *self);
/* Milliseconds the layout took (for --timings). */
double              lamina_scene_get_layout_ms (LaminaScene *self);

G_END_DECLS
