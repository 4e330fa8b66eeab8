/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-feature-map.h: the feature-map grid of a 4-D tensor: one tile per
 * channel of the first batch item, each stretched over its own range (0.5th
 * to 99.5th percentile, so outliers do not flatten it) and
 * coloured with a perceptual colour map (viridis); drag to pan, Ctrl+scroll
 * or the zoom functions to zoom, nearest-neighbour pixels when enlarged.
 *
 * The grid image is built off the main thread with lamina_feature_grid_new
 * and handed to the widget.
 */
#pragma once

#include <gtk/gtk.h>
#include "ops/lamina-value.h"

G_BEGIN_DECLS

typedef struct _LaminaFeatureGrid LaminaFeatureGrid;

/* The grid of v (rank 4; nhwc: [N,H,W,C] as TFLite stores it, else
 * [N,C,H,W]); NULL when v is not a 4-D numeric tensor. Thread-safe. */
LaminaFeatureGrid *lamina_feature_grid_new  (const LaminaValue *v, gboolean nhwc);
void               lamina_feature_grid_free (LaminaFeatureGrid *grid);
guint              lamina_feature_grid_get_n_channels (const LaminaFeatureGrid *grid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaFeatureGrid, lamina_feature_grid_free)

#define LAMINA_TYPE_FEATURE_MAP (lamina_feature_map_get_type ())
G_DECLARE_FINAL_TYPE (LaminaFeatureMap, lamina_feature_map, LAMINA, FEATURE_MAP, GtkWidget)

GtkWidget *lamina_feature_map_new      (void);
/* Shows grid (the widget takes it; NULL clears) and fits it. */
void       lamina_feature_map_set_grid (LaminaFeatureMap *self, LaminaFeatureGrid *grid);
void       lamina_feature_map_zoom_by  (LaminaFeatureMap *self, double factor);
void       lamina_feature_map_zoom_fit (LaminaFeatureMap *self);

/* Maps t in [0, 1] to a viridis colour (exposed for tests). */
void       lamina_viridis (double t, guint8 *r, guint8 *g, guint8 *b);

G_END_DECLS
