/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-colormap.c: inferno (matplotlib), 9 stops, linear in between.
 */
#define G_LOG_DOMAIN "lamina-render"

#include <math.h>
#include "lamina-colormap.h"

void
lamina_colormap_inferno (double t, double rgb[3])
{
  static const guint8 stops[9][3] = {
    { 0, 0, 4 }, { 31, 12, 72 }, { 85, 15, 109 }, { 136, 34, 106 }, { 186, 54, 85 },
    { 227, 89, 51 }, { 249, 140, 10 }, { 249, 201, 50 }, { 252, 255, 164 },
  };
  double x = isnan (t) ? 0 : CLAMP (t, 0.0, 1.0) * 8;
  int k = MIN ((int) x, 7);

  for (int i = 0; i < 3; i++)
    rgb[i] = (stops[k][i] + (x - k) * (stops[k + 1][i] - stops[k][i])) / 255.0;
}

gboolean
lamina_colormap_wants_dark_text (const double rgb[3])
{
  /* relative luminance (sRGB weights, without linearising: close enough
   * to pick between black and white) */
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 0.5;
}
