/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window.h: a window showing one model: welcome page, graph canvas,
 * side panel, search and export. Actions (win.*): open, export,
 * export-to(s: path), search, find(s: text; jumps to the first match),
 * select-node(s: node name); the simulator: sim-run, sim-step (to the next
 * node drawn as a box), sim-run-to-selected, sim-run-to(s: node name),
 * sim-reset, sim-cancel, sim-threads(i), sim-input((sss): input name,
 * "zeros" | "random" | FILE.npy, shape or ""), sim-image(s: an image file
 * preprocessed by the model's preset into its first input; dropping an
 * image on a window with a model does the same, and the model then runs
 * and the Image page shows its detections); the Image page (see
 * lamina-window-image.c): open-image, paste-image, export-image,
 * export-image-to(s), set-score-threshold(d), set-iou-threshold(d),
 * show-page(s: "graph" | "image"); the tensor page:
 * select-tensor(s: tensor name), close-tensor, save-tensor (a file
 * chooser), save-tensor-to(s: path); quantizing a float ONNX model:
 * quantize (the dialog, lamina-quantize-dialog.h), quantize-to((ss):
 * calibration folder, output path; the fixed model opens in a new window);
 * compare mode (lamina-window-compare.c): compare-with, compare-with-file(s),
 * compare-image(s), compare-layer(s), compare-side-page(s: "image" |
 * "layers" | "what-to-do"), color-metric(s: "sqnr" | "cosine" | "mse" |
 * "max-abs" | "clipped" | "none"), show-page(s: "compare").
 */
#pragma once

#include <adwaita.h>
#include "lamina-compare-page.h"
#include "lamina-compare-session.h"
#include "lamina-document.h"
#include "lamina-graph-view.h"
#include "lamina-image-page.h"
#include "lamina-metrics-table.h"
#include "lamina-node-panel.h"
#include "lamina-sim-session.h"
#include "lamina-suggest-panel.h"
#include "lamina-tensor-view.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_WINDOW (lamina_window_get_type ())
G_DECLARE_FINAL_TYPE (LaminaWindow, lamina_window, LAMINA, WINDOW, AdwApplicationWindow)

LaminaWindow    *lamina_window_new            (GtkApplication *application);
/* Opens file in this window (asynchronously); failures are shown as a toast
 * and reported by the "open-failed" signal. */
void             lamina_window_open           (LaminaWindow *self, GFile *file);
/* TRUE when the window shows no model and is not opening one. */
gboolean         lamina_window_is_empty       (LaminaWindow *self);
/* TRUE when nothing is loading, laying out or animating: what is shown
 * is final (for --screenshot and tests). */
gboolean         lamina_window_is_settled     (LaminaWindow *self);
LaminaDocument  *lamina_window_get_document   (LaminaWindow *self);
LaminaGraphView *lamina_window_get_graph_view (LaminaWindow *self);
LaminaNodePanel *lamina_window_get_node_panel (LaminaWindow *self);
LaminaSimSession *lamina_window_get_sim_session (LaminaWindow *self);
LaminaTensorView *lamina_window_get_tensor_view (LaminaWindow *self);
/* Takes `steps` Step actions in one run, then selects `tensor` (may be
 * NULL) once it has stopped: for --run-steps/--select-tensor screenshots. */
/* Loads an image file as the model input (preprocessed by the model's
 * preset); with run, the model runs and the Image page shows the result. */
gboolean         lamina_window_set_input_image (LaminaWindow *self, const char *path, gboolean run,
                                                GError **error);
LaminaImagePage *lamina_window_get_image_page (LaminaWindow *self);
void             lamina_window_run_steps      (LaminaWindow *self, guint steps, const char *tensor);

/* Compare mode: partner is the float (or fixed) counterpart of the model
 * this window shows or is opening (the Quantize… dialog passes the model it
 * quantized); the Compare page appears once both are known. */
void             lamina_window_set_compare_partner (LaminaWindow *self, LaminaDocument *partner);
/* Loads file as the partner (asynchronously; failures become a toast). */
gboolean         lamina_window_compare_with_file   (LaminaWindow *self, GFile *file, GError **error);
/* Runs both models on an image file and shows the Compare page (the run
 * waits for a partner still loading). */
gboolean         lamina_window_compare_image_file  (LaminaWindow *self, const char *path, GError **error);
LaminaCompareSession *lamina_window_get_compare_session (LaminaWindow *self);
LaminaComparePage    *lamina_window_get_compare_page    (LaminaWindow *self);
/* The Compare page's "Layers" (metrics table) and "What to do" pages. */
LaminaMetricsTable   *lamina_window_get_metrics_table   (LaminaWindow *self);
LaminaSuggestPanel   *lamina_window_get_suggest_panel   (LaminaWindow *self);
/* Once a comparison has finished (at once when there is one), measures the
 * `candidates` worst layers on the What to do page and, with apply,
 * re-quantizes with those that help (the new model opens in a new window):
 * the user's clicks, for --requantize screenshots. */
void                  lamina_window_compare_suggest     (LaminaWindow *self, guint candidates, gboolean apply);

G_END_DECLS
