/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli-detect.h: what `detect` shares with `compare` and `run
 * --image` (the pipeline itself is vision/lamina-pipeline.h): finding a
 * model's preset, and a detection as JSON.
 */
#pragma once

#include "lamina-json.h"
#include "vision/lamina-detection.h"
#include "vision/lamina-preset.h"

G_BEGIN_DECLS

/* One detection as a JSON object (class_id, label, score, box ...). */
void     lamina_cli_json_detection    (LaminaJson *json, const LaminaDetection *d);

/* The preset `name` (a name or an .ini), else the model's own or a shipped
 * one. Used by `run --image` too. */
LaminaPreset       *lamina_cli_find_preset (const char *model_path, LaminaModel *model, const char *name,
                                            GError **error);
/* Same, failing when the preset has no [POSTPROCESS] decoder (detect, compare). */
LaminaPreset       *lamina_cli_find_decoding_preset (const char *model_path, LaminaModel *model,
                                                     const char *name, GError **error);

G_END_DECLS
