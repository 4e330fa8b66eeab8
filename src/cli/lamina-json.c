/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-cli"

#include <math.h>
#include "lamina-json.h"

struct _LaminaJson {
  GString *out;
  /* One flag per open container: has it had an element yet? */
  GArray  *first;
  gboolean after_key;
};

LaminaJson *
lamina_json_new (void)
{
  LaminaJson *json = g_new0 (LaminaJson, 1);

  json->out = g_string_new (NULL);
  json->first = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return json;
}

void
lamina_json_free (LaminaJson *json)
{
  if (json == NULL)
    return;
  if (json->out)
    g_string_free (json->out, TRUE);
  g_array_unref (json->first);
  g_free (json);
}

char *
lamina_json_finish (LaminaJson *json)
{
  char *text = g_string_free (g_steal_pointer (&json->out), FALSE);

  lamina_json_free (json);
  return text;
}

/* Writes the separator a new value needs: nothing after a key, a comma
 * between elements. */
static void
begin_value (LaminaJson *json)
{
  gboolean *first;

  if (json->after_key)
    {
      json->after_key = FALSE;
      return;
    }
  if (json->first->len == 0)
    return;
  first = &g_array_index (json->first, gboolean, json->first->len - 1);
  if (!*first)
    g_string_append_c (json->out, ',');
  *first = FALSE;
}

static void
open_container (LaminaJson *json, char c)
{
  gboolean first = TRUE;

  begin_value (json);
  g_string_append_c (json->out, c);
  g_array_append_val (json->first, first);
}

static void
close_container (LaminaJson *json, char c)
{
  g_return_if_fail (json->first->len > 0);
  g_array_set_size (json->first, json->first->len - 1);
  g_string_append_c (json->out, c);
}

void lamina_json_begin_object (LaminaJson *json) { open_container (json, '{'); }
void lamina_json_end_object (LaminaJson *json)   { close_container (json, '}'); }
void lamina_json_begin_array (LaminaJson *json)  { open_container (json, '['); }
void lamina_json_end_array (LaminaJson *json)    { close_container (json, ']'); }

static void
append_escaped (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

void
lamina_json_key (LaminaJson *json, const char *key)
{
  begin_value (json);
  append_escaped (json->out, key);
  g_string_append_c (json->out, ':');
  json->after_key = TRUE;
}

void
lamina_json_string (LaminaJson *json, const char *value)
{
  if (value == NULL)
    {
      lamina_json_null (json);
      return;
    }
  begin_value (json);
  /* Model files may carry invalid UTF-8 in names: never emit broken JSON. */
  if (g_utf8_validate (value, -1, NULL))
    append_escaped (json->out, value);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);
      append_escaped (json->out, valid);
    }
}

void
lamina_json_int (LaminaJson *json, gint64 value)
{
  begin_value (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
lamina_json_double (LaminaJson *json, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      lamina_json_null (json);
      return;
    }
  begin_value (json);
  /* 9 significant digits round-trip float32, the precision of every figure
   * Lamina computes; g_ascii_formatd keeps the point locale-independent. */
  g_string_append (json->out, g_ascii_formatd (buf, sizeof buf, "%.9g", value));
}

void
lamina_json_bool (LaminaJson *json, gboolean value)
{
  begin_value (json);
  g_string_append (json->out, value ? "true" : "false");
}

void
lamina_json_null (LaminaJson *json)
{
  begin_value (json);
  g_string_append (json->out, "null");
}
