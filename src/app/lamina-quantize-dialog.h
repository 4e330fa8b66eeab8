/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-quantize-dialog.h: the "Quantize…" window of a float ONNX model:
 * calibration folder, method, default bits, a per-layer precision table
 * (int8 / int16 / float, filtered by operator and name) and the output
 * file. Quantize calibrates and quantizes in a worker thread (progress
 * bar, Cancel), writes the QDQ file and opens it in a new window; errors
 * become a toast naming the file and the reason.
 */
#pragma once

#include <adwaita.h>
#include "lamina-window.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_QUANTIZE_DIALOG (lamina_quantize_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LaminaQuantizeDialog, lamina_quantize_dialog, LAMINA, QUANTIZE_DIALOG, AdwWindow)

/* A dialog for parent's model (a float ONNX model); the output defaults to
 * "<model>-int8.onnx" beside it. */
LaminaQuantizeDialog *lamina_quantize_dialog_new        (LaminaWindow *parent);
void                  lamina_quantize_dialog_set_folder (LaminaQuantizeDialog *self, const char *folder);
void                  lamina_quantize_dialog_set_output (LaminaQuantizeDialog *self, const char *output);
/* Starts calibrating with the current settings (also without showing the
 * dialog: win.quantize-to). The dialog closes itself once done. */
void                  lamina_quantize_dialog_start      (LaminaQuantizeDialog *self);

G_END_DECLS
