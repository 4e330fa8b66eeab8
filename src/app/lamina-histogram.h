/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-histogram.h: a small bar chart of a tensor's value histogram, with
 * the position of zero marked when it falls inside the range; in compare
 * mode, a float histogram and a dequantized one overlaid.
 */
#pragma once

#include <gtk/gtk.h>
#include "graph/lamina-tensor-stats.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_HISTOGRAM (lamina_histogram_get_type ())
G_DECLARE_FINAL_TYPE (LaminaHistogram, lamina_histogram, LAMINA, HISTOGRAM, GtkWidget)

GtkWidget *lamina_histogram_new       (void);
/* Copies the histogram and range of stats; NULL clears the chart. */
void       lamina_histogram_set_stats (LaminaHistogram *self, const LaminaTensorStats *stats);
/* Compare mode (issue 6): pair->a (float values, filled bars) and pair->b
 * (the fixed tensor dequantized, an outline) overlaid with a legend, the
 * quantization range [range_lo, range_hi] marked by two lines with the
 * area outside it shaded — float bars there are clipped values, range
 * without bars is wasted. NaN range_lo/hi: no range. The axis shows the
 * numbers. Copies pair; NULL clears the chart. */
void       lamina_histogram_set_pair  (LaminaHistogram *self, const LaminaHistogramPair *pair,
                                       double range_lo, double range_hi);

G_END_DECLS
