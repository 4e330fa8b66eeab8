/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-histogram.h: a small bar chart of a tensor's value histogram, with
 * the position of zero marked when it falls inside the range.
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

G_END_DECLS
