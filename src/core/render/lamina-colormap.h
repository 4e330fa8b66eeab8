/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-colormap.h: the perceptual colour map Lamina draws measured
 * values with (metric colouring of the graph, issue 6): matplotlib's
 * inferno, dark for small values and bright yellow for large ones, so the
 * largest error stands out on light and dark backgrounds alike.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* t in [0, 1] (clamped; NaN counts as 0) → rgb in [0, 1]. */
void     lamina_colormap_inferno (double t, double rgb[3]);

/* Whether text on the colour rgb should be dark (TRUE) or white (FALSE):
 * the bright end of the map is unreadable under white text. */
gboolean lamina_colormap_wants_dark_text (const double rgb[3]);

G_END_DECLS
