/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-viewport.h: pan and zoom state of the graph canvas, kept out of the
 * widget so that it can be tested headless. The widget maps gestures onto it.
 *
 * Coordinates: "layout" units are those of LaminaLayout (1 unit = 1 px at
 * zoom 1); "view" units are widget pixels. view = (layout - origin) * zoom.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LAMINA_VIEWPORT_MIN_ZOOM 0.02
#define LAMINA_VIEWPORT_MAX_ZOOM 8.0

#define LAMINA_TYPE_VIEWPORT (lamina_viewport_get_type ())
G_DECLARE_FINAL_TYPE (LaminaViewport, lamina_viewport, LAMINA, VIEWPORT, GObject)

LaminaViewport *lamina_viewport_new (void);

/* Size of the content (the layout) and of the view (the widget). */
void   lamina_viewport_set_content_size (LaminaViewport *self, double width, double height);
void   lamina_viewport_set_view_size    (LaminaViewport *self, double width, double height);

double lamina_viewport_get_zoom (LaminaViewport *self);
/* Layout point shown at the view's top-left corner. */
void   lamina_viewport_get_origin (LaminaViewport *self, double *x, double *y);
/* The part of the layout that is visible, in layout units. */
void   lamina_viewport_get_visible (LaminaViewport *self, double *x, double *y,
                                    double *width, double *height);

void   lamina_viewport_view_to_layout (LaminaViewport *self, double vx, double vy,
                                       double *lx, double *ly);
void   lamina_viewport_layout_to_view (LaminaViewport *self, double lx, double ly,
                                       double *vx, double *vy);

/* Moves the content by (dx, dy) view pixels (a drag of the content). */
void   lamina_viewport_pan (LaminaViewport *self, double dx, double dy);
/* Multiplies the zoom by factor, keeping the layout point under (vx, vy) fixed. */
void   lamina_viewport_zoom_at (LaminaViewport *self, double factor, double vx, double vy);
/* Sets the zoom around the view's centre. */
void   lamina_viewport_set_zoom (LaminaViewport *self, double zoom);
/* Shows the whole content, at most at zoom 1 (small graphs are not blown up). */
void   lamina_viewport_zoom_to_fit (LaminaViewport *self);
/* Puts the layout point (lx, ly) at the centre of the view. */
void   lamina_viewport_center_on (LaminaViewport *self, double lx, double ly);
/* Zoom 1, the top of the content, centred horizontally on x: how a graph
 * first appears when fitting it would make it unreadable. */
void   lamina_viewport_show_top (LaminaViewport *self, double x);

G_END_DECLS
