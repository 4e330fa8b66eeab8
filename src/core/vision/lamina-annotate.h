/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-annotate.h: draws detections over an image with cairo (pango for
 * text): boxes in a colour per class, label and score chips, keypoints,
 * polygons and recognised text. Shared by `lamina-cli detect -o` and the
 * window's image view, which draws with its own zoom.
 */
#pragma once

#include <cairo.h>
#include "vision/lamina-detection.h"
#include "vision/lamina-image.h"

G_BEGIN_DECLS

/* How one detection is drawn instead of in its class colour (the window's
 * compare mode links a float box and its fixed partner by colour and
 * number, and dashes the boxes only one model found). */
typedef struct {
  double      rgb[3];    /* box and chip colour */
  const char *chip;      /* chip text instead of "label score"; NULL: the usual */
  gboolean    dashed;    /* a dashed outline */
} LaminaAnnotateStyle;

typedef struct {
  gboolean labels;       /* label and score chips (and recognised text) */
  gboolean keypoints;    /* keypoint dots */
  /* Sizes in image pixels; 0 = from the image size (readable at 1:1). The
   * window passes values divided by its zoom to keep them constant on screen. */
  double   line_width;
  double   font_px;
  int      highlight;    /* index of a detection drawn emphasised; -1: none */
  const LaminaAnnotateStyle *styles;   /* one per detection, or NULL: class colours */
} LaminaAnnotateOptions;

void lamina_annotate_options_init (LaminaAnnotateOptions *options);

/* The colour of a class (Ultralytics' 20-colour palette, by class_id). */
void lamina_annotate_class_color (int class_id, double rgb[3]);

/* Draws dets on cr, whose user space is image pixels of an image of
 * image_w x image_h (used for the automatic sizes and to keep chips inside). */
void lamina_annotate_draw (cairo_t *cr, const LaminaDetections *dets,
                           int image_w, int image_h, const LaminaAnnotateOptions *options);

/* A new RGB24 cairo surface holding the image. NULL + error when cairo
 * cannot allocate it. */
cairo_surface_t *lamina_annotate_image_surface (const LaminaImage *image, GError **error);

/* The image with dets drawn on it, written as PNG atomically (temporary
 * file beside the target, renamed into place). options may be NULL. */
gboolean lamina_annotate_save_png (const LaminaImage *image, const LaminaDetections *dets,
                                   const LaminaAnnotateOptions *options,
                                   const char *path, GError **error);

G_END_DECLS
