/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image-view.h: the image canvas of the image page: an image with
 * detections drawn over it (lamina-annotate, sizes constant on screen) and
 * optionally a feature map laid over it. Zooms and pans like the graph
 * (LaminaViewport: drag, scroll, Ctrl+scroll, pinch, + - 0 and arrow keys;
 * actions zoom-in, zoom-out, zoom-reset, zoom-fit in the group returned by
 * lamina_image_view_get_actions); a new image is fitted.
 *
 * Clicking a box selects it ("selected": index into the detections, -1 for
 * none); the smallest box under the pointer wins, so a bag inside a person
 * can be picked.
 */
#pragma once

#include <gtk/gtk.h>
#include "lamina-viewport.h"
#include "vision/lamina-annotate.h"
#include "vision/lamina-preprocess.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_IMAGE_VIEW (lamina_image_view_get_type ())
G_DECLARE_FINAL_TYPE (LaminaImageView, lamina_image_view, LAMINA, IMAGE_VIEW, GtkWidget)

GtkWidget      *lamina_image_view_new (void);

/* Shows a copy of image (NULL clears) and fits it into the view. */
void            lamina_image_view_set_image (LaminaImageView *self, const LaminaImage *image);
/* dets is borrowed until the next call (or NULL); shown[i] FALSE hides
 * detection i (shown may be NULL: all). The selection is cleared. */
void            lamina_image_view_set_detections (LaminaImageView *self, const LaminaDetections *dets,
                                                  const gboolean *shown);
/* How each of the caller's detections is drawn (styles[i] for detection
 * i; borrowed like dets, until the next set_detections; NULL: class
 * colours). */
void            lamina_image_view_set_styles (LaminaImageView *self, const LaminaAnnotateStyle *styles);
/* The detections drawn (shallow copies of the shown ones, in order). */
const LaminaDetections *lamina_image_view_get_shown (LaminaImageView *self);
/* Index in the caller's detections of shown detection i. */
int             lamina_image_view_shown_index (LaminaImageView *self, guint i);
void            lamina_image_view_set_labels (LaminaImageView *self, gboolean labels);
int             lamina_image_view_get_selected (LaminaImageView *self);
void            lamina_image_view_set_selected (LaminaImageView *self, int index);
/* The shown detection under image point (ix, iy), -1 when none. */
int             lamina_image_view_hit (LaminaImageView *self, double ix, double iy);
/* A colour-mapped feature map (the view takes a reference; NULL removes it)
 * covering the model input of transform, painted with opacity 0…1. */
void            lamina_image_view_set_overlay (LaminaImageView *self, cairo_surface_t *overlay,
                                               const LaminaTransform *transform);
void            lamina_image_view_set_overlay_opacity (LaminaImageView *self, double opacity);

LaminaViewport *lamina_image_view_get_viewport (LaminaImageView *self);
GActionGroup   *lamina_image_view_get_actions  (LaminaImageView *self);

G_END_DECLS
