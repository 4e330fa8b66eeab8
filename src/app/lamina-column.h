/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-column.h: the columns of the window's tables (detections, diff
 * list, tensor values, layer metrics, precision table, suggestions), each
 * drawn by a GtkSignalListItemFactory.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Appends a column titled `title` whose factory calls setup, bind and (when
 * not NULL) unbind with `data`; returns the column (owned by the view) for
 * sorters and widths. Callbacks that need more than `data` find it as
 * object data on gtk_column_view_column_get_factory (column). */
GtkColumnViewColumn *lamina_column_append (GtkColumnView *view, const char *title, gboolean expand,
                                           GCallback setup, GCallback bind, GCallback unbind, gpointer data);

G_END_DECLS
