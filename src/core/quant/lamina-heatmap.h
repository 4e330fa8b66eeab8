/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-heatmap.h: where on the input image a layer of a fixed model
 * departs from the float model (issue 6). The error map of a rank-4 pair
 * (batch 1) is the per-pixel mean of |float − dequantized fixed| over the
 * channels, or that of one channel; drawn, it is resampled (bilinear) to
 * the original image through the preprocessing transform (letterbox padding
 * gets no colour) and coloured with the inferno map from 0 to the map's
 * maximum (lamina_error_map_render), with a legend that shows the numbers.
 * The PNG lays that over the image at 60 % opacity; the window paints the
 * same surface over its image view with the opacity of a slider.
 */
#pragma once

#include <cairo.h>
#include "ops/lamina-value.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preprocess.h"

G_BEGIN_DECLS

typedef struct {
  int    width, height;
  float *data;   /* height × width, row-major */
  float  max;
} LaminaErrorMap;

/* The error map of flt vs fixed (dequantized with quant, NULL: as it is);
 * nhwc tells the layout; channel < 0: the mean over the channels, else
 * that channel alone. Fails unless both are rank 4 with batch 1 and the
 * same element count, or when the channel does not exist. */
LaminaErrorMap *lamina_error_map_new (const LaminaValue *flt, const LaminaValue *fixed,
                                      const LaminaQuant *quant, gboolean nhwc, int channel,
                                      GError **error);
void            lamina_error_map_free (LaminaErrorMap *map);

/* The map coloured for an image of transform's source size, as a new
 * ARGB32 surface of width × height (the image scaled to that): inferno
 * from 0 to map->max, opaque where the pixel's model position lies in the
 * resized image, transparent over the letterbox padding. NULL + error when
 * cairo cannot allocate it. transform maps image pixels to the model input
 * the map's layer derives from. */
cairo_surface_t *lamina_error_map_render (const LaminaErrorMap *map, const LaminaTransform *transform,
                                          int width, int height, GError **error);

/* The legend: `title`, the colour bar from 0 to max and its numbers (0,
 * max/2, max), white on a dark plate of width × LAMINA_ERROR_MAP_LEGEND_LINES
 * · font_px with its top-left corner at (x, y). */
#define LAMINA_ERROR_MAP_LEGEND_LINES 4.4
void             lamina_error_map_draw_legend (cairo_t *cr, double max, const char *title,
                                               double x, double y, double width, double font_px);

/* The image with the map laid over it and the legend (titled `title`),
 * written as PNG atomically. transform maps image pixels to the model
 * input the map's layer derives from. */
gboolean        lamina_error_map_save_png (const LaminaErrorMap *map, const LaminaImage *image,
                                           const LaminaTransform *transform, const char *title,
                                           const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaErrorMap, lamina_error_map_free)

G_END_DECLS
