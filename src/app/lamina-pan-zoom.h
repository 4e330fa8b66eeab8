/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-pan-zoom.h: the pan and zoom input shared by the graph canvas and
 * the image view — drag to pan, scroll to pan (Shift: sideways), Ctrl+scroll
 * and pinch to zoom around the pointer, + − 0 and the arrow keys — mapped
 * onto a LaminaViewport. The views keep their own clicks, hover and Escape.
 */
#pragma once

#include <gtk/gtk.h>
#include "lamina-viewport.h"

G_BEGIN_DECLS

#define LAMINA_PAN_ZOOM_STEP 1.25   /* one zoom step (keys, buttons, wheel notch) */
#define LAMINA_PAN_STEP      60.0   /* one pan step in view pixels (keys, wheel notch) */

/* Whether the view has content to move; input is ignored while it has none. */
typedef gboolean (*LaminaPanZoomActiveFunc) (GtkWidget *widget);

/* Adds the controllers to widget; their state lives as long as the widget. */
void lamina_pan_zoom_attach (GtkWidget *widget, LaminaViewport *viewport, LaminaPanZoomActiveFunc active);

/* How a view fits its content into itself (the zoom-fit action). */
typedef void (*LaminaPanZoomFitFunc) (GtkWidget *widget);

/* The view's zoom-in, zoom-out (one step around its centre), zoom-reset
 * (100 %) and zoom-fit actions, disabled until set_enabled. */
GSimpleActionGroup *lamina_pan_zoom_actions_new         (GtkWidget *widget, LaminaViewport *viewport,
                                                         LaminaPanZoomFitFunc fit);
void                lamina_pan_zoom_actions_set_enabled (GSimpleActionGroup *actions, gboolean enabled);

G_END_DECLS
