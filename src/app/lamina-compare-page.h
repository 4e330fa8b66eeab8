/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare-page.h: the window's Compare page (issue 6): the image
 * through the float model (left) and the fixed model (right), two
 * LaminaImageViews that zoom and pan together, each with its detections:
 * a float box and its fixed partner share a colour and a number, boxes
 * only the float model found are "missed" (red), those only the fixed
 * model found "extra" (orange), each drawn dashed in the other pane where
 * it is absent. The side panel: both thresholds, the diff list (number,
 * class, score float / fixed, IoU, status; a row selects its boxes in both
 * panes and a clicked box its row), and the error heatmap of a chosen
 * layer over the fixed image (mean over channels or one channel, opacity,
 * a legend with the numbers; the layer list in graph order with its SQNR,
 * the five worst marked, previous / next / worst). The side panel is a
 * stack: other compare widgets add pages with add_side_page.
 *
 * The page shows a LaminaCompareSession; it does not start runs (the
 * window does, see lamina-window-compare.c).
 */
#pragma once

#include <adwaita.h>
#include "lamina-compare-session.h"
#include "lamina-image-view.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_COMPARE_PAGE (lamina_compare_page_get_type ())
G_DECLARE_FINAL_TYPE (LaminaComparePage, lamina_compare_page, LAMINA, COMPARE_PAGE, AdwBin)

typedef enum {
  LAMINA_COMPARE_MATCHED,   /* found by both */
  LAMINA_COMPARE_MISSED,    /* float only */
  LAMINA_COMPARE_EXTRA,     /* fixed only */
} LaminaCompareStatus;

void     lamina_compare_page_set_session (LaminaComparePage *self, LaminaCompareSession *session);

/* Rows of the diff list with that status (what the page shows). */
guint    lamina_compare_page_count_rows (LaminaComparePage *self, LaminaCompareStatus status);
GtkSingleSelection *lamina_compare_page_get_selection (LaminaComparePage *self);
/* The float (fixed = FALSE) or the fixed pane. */
LaminaImageView    *lamina_compare_page_get_view (LaminaComparePage *self, gboolean fixed);

/* The heatmap's layer by float or fixed tensor name; FALSE when no layer
 * with an error map is called so. Kept across runs while it exists. */
gboolean     lamina_compare_page_select_layer (LaminaComparePage *self, const char *name);
/* The float tensor name of the heatmap's layer, or NULL. The page emits
 * "layer-changed" (float tensor, fixed tensor) whenever it changes. */
const char  *lamina_compare_page_get_layer    (LaminaComparePage *self);
/* 0: the mean over channels, c: channel c − 1 (as the spin button). */
void         lamina_compare_page_set_channel  (LaminaComparePage *self, int channel);
void         lamina_compare_page_show_heatmap (LaminaComparePage *self, gboolean show);
/* TRUE when a heatmap is laid over the fixed image. */
gboolean     lamina_compare_page_has_heatmap  (LaminaComparePage *self);

/* Adds a page to the side panel's stack (a switcher appears). */
void         lamina_compare_page_add_side_page (LaminaComparePage *self, GtkWidget *child,
                                                const char *name, const char *title);
/* Shows the side page called name ("image": boxes and heatmap, or one
 * added); FALSE when there is none. */
gboolean     lamina_compare_page_show_side_page (LaminaComparePage *self, const char *name);

G_END_DECLS
