/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-minimap.h: an overview of a large graph with the visible part
 * marked; clicking or dragging on it moves the canvas. It hides itself
 * while the whole graph is visible.
 */
#pragma once

#include <gtk/gtk.h>
#include "lamina-graph-view.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_MINIMAP (lamina_minimap_get_type ())
G_DECLARE_FINAL_TYPE (LaminaMinimap, lamina_minimap, LAMINA, MINIMAP, GtkWidget)

GtkWidget       *lamina_minimap_new      (void);
void             lamina_minimap_set_view (LaminaMinimap *self, LaminaGraphView *view);
LaminaGraphView *lamina_minimap_get_view (LaminaMinimap *self);

G_END_DECLS
