/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-suggest-panel.h: "What to do" after quantizing (issue 6). Given a
 * float model, calibration inputs, an evaluation image and base quantize
 * options, Measure calibrates and runs lamina_suggest (quant/lamina-suggest.h)
 * in a worker thread (progress bar, Cancel) and lists the measured layers,
 * best first: layer, precision (int16, or float when int16 cannot run),
 * its own SQNR, the final output SQNR with it alone promoted (a tooltip
 * gives both promotions measured), and the gain.
 * "Re-quantize with Selected" quantizes again with the checked layers
 * promoted (lamina_suggest_apply) in a worker thread, writes the QDQ ONNX
 * file atomically, shows the output SQNR before and after, and emits
 * "requantized" with the file's path.
 *
 * The preset found for the model preprocesses the evaluation image and adds
 * its [QUANTIZE] rules to the base options, as `lamina-cli suggest` does.
 */
#pragma once

#include <adwaita.h>
#include "quant/lamina-quantize.h"
#include "quant/lamina-suggest.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_SUGGEST_PANEL (lamina_suggest_panel_get_type ())
G_DECLARE_FINAL_TYPE (LaminaSuggestPanel, lamina_suggest_panel, LAMINA, SUGGEST_PANEL, AdwBin)

GtkWidget  *lamina_suggest_panel_new (void);

/* Settings; each drops earlier results (not while busy: ignored then).
 * model_path: the float model, a local file (the worker loads its own
 * copy); the output defaults to "<stem>-mixed.onnx" beside it. */
void        lamina_suggest_panel_set_model       (LaminaSuggestPanel *self, const char *model_path);
/* Images (.jpg .jpeg .png), .npy files or folders of them. */
void        lamina_suggest_panel_set_calibration (LaminaSuggestPanel *self, const char *const *paths);
void        lamina_suggest_panel_set_eval_image  (LaminaSuggestPanel *self, const char *image_path);
/* method, percentile, bits and rules are copied; NULL: min-max int8. */
void        lamina_suggest_panel_set_options     (LaminaSuggestPanel *self, const LaminaQuantizeOptions *base);
/* How many of the worst layers to measure (1…64, default 8). */
void        lamina_suggest_panel_set_candidates  (LaminaSuggestPanel *self, guint n);
void        lamina_suggest_panel_set_output      (LaminaSuggestPanel *self, const char *path);
const char *lamina_suggest_panel_get_output      (LaminaSuggestPanel *self);

/* Measure (also without the button); nothing when busy or a setting is missing. */
void        lamina_suggest_panel_start  (LaminaSuggestPanel *self);
/* Re-quantize with the checked rows; nothing when busy, without results or
 * with no row checked. */
void        lamina_suggest_panel_apply  (LaminaSuggestPanel *self);
/* Cancels the running work. */
void        lamina_suggest_panel_cancel (LaminaSuggestPanel *self);
/* Also the read-only property "busy" (notified). */
gboolean    lamina_suggest_panel_is_busy (LaminaSuggestPanel *self);

/* The last measurement, NULL before one (or after a setting changed). */
const LaminaSuggestResult *lamina_suggest_panel_get_result (LaminaSuggestPanel *self);
/* The check box of row i (suggestions in result order); rows with a gain
 * of at least 0.005 dB (shown as +0.01 or more) start checked. */
gboolean    lamina_suggest_panel_get_checked (LaminaSuggestPanel *self, guint i);
void        lamina_suggest_panel_set_checked (LaminaSuggestPanel *self, guint i, gboolean checked);

/* Signals:
 *   "requantized" (const char *path, double before_db, double after_db):
 *       the re-quantized model was written to path (the window opens it);
 *       before/after are the final output SQNR of the base and new model.
 *   "failed" (const char *message): measuring or re-quantizing failed
 *       (also shown in the panel); not emitted on Cancel. */

G_END_DECLS
