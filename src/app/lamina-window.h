/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window.h: a window showing one model: welcome page, graph canvas,
 * side panel, search and export. Actions (win.*): open, export,
 * export-to(s: path), search, find(s: text; jumps to the first match),
 * select-node(s: node name).
 */
#pragma once

#include <adwaita.h>
#include "lamina-document.h"
#include "lamina-graph-view.h"
#include "lamina-node-panel.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_WINDOW (lamina_window_get_type ())
G_DECLARE_FINAL_TYPE (LaminaWindow, lamina_window, LAMINA, WINDOW, AdwApplicationWindow)

LaminaWindow    *lamina_window_new            (GtkApplication *application);
/* Opens file in this window (asynchronously); failures are shown as a toast
 * and reported by the "open-failed" signal. */
void             lamina_window_open           (LaminaWindow *self, GFile *file);
/* TRUE when the window shows no model and is not opening one. */
gboolean         lamina_window_is_empty       (LaminaWindow *self);
/* TRUE when nothing is loading, laying out or animating: what is shown
 * is final (for --screenshot and tests). */
gboolean         lamina_window_is_settled     (LaminaWindow *self);
LaminaDocument  *lamina_window_get_document   (LaminaWindow *self);
LaminaGraphView *lamina_window_get_graph_view (LaminaWindow *self);
LaminaNodePanel *lamina_window_get_node_panel (LaminaWindow *self);

G_END_DECLS
