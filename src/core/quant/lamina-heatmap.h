/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-heatmap.h: where on the input image a layer of a fixed model
 * departs from the float model (issue 6). The error map of a rank-4 pair
 * (batch 1) is the per-pixel mean of |float − dequantized fixed| over the
 * channels; drawn, it is resampled (bilinear) to the original image through
 * the preprocessing transform (letterbox padding gets no colour), coloured
 * with the inferno map from 0 to the map's maximum, laid over the image at
 * 60 % opacity, with a legend that shows the numbers.
 */
#pragma once

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
 * nhwc tells the layout. Fails unless both are rank 4 with batch 1 and the
 * same element count. */
LaminaErrorMap *lamina_error_map_new (const LaminaValue *flt, const LaminaValue *fixed,
                                      const LaminaQuant *quant, gboolean nhwc, GError **error);
void            lamina_error_map_free (LaminaErrorMap *map);

/* The image with the map laid over it and the legend (titled `title`),
 * written as PNG atomically. transform maps image pixels to the model
 * input the map's layer derives from. */
gboolean        lamina_error_map_save_png (const LaminaErrorMap *map, const LaminaImage *image,
                                           const LaminaTransform *transform, const char *title,
                                           const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaErrorMap, lamina_error_map_free)

G_END_DECLS
