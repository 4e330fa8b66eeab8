/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-json.h: a minimal streaming JSON writer for `lamina-cli --json`.
 * Figures are written as numbers, never strings (the CLI contract).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LaminaJson LaminaJson;

LaminaJson *lamina_json_new (void);
void        lamina_json_free (LaminaJson *json);
/* Returns the text and frees the writer. */
char       *lamina_json_finish (LaminaJson *json);

void lamina_json_begin_object (LaminaJson *json);
void lamina_json_end_object   (LaminaJson *json);
void lamina_json_begin_array  (LaminaJson *json);
void lamina_json_end_array    (LaminaJson *json);
/* Inside an object: the next value's key. */
void lamina_json_key          (LaminaJson *json, const char *key);
void lamina_json_string       (LaminaJson *json, const char *value);  /* NULL → null */
void lamina_json_int          (LaminaJson *json, gint64 value);
void lamina_json_double       (LaminaJson *json, double value);       /* NaN/Inf → null */
void lamina_json_bool         (LaminaJson *json, gboolean value);
void lamina_json_null         (LaminaJson *json);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaJson, lamina_json_free)

G_END_DECLS
