/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-json: the writer behind `lamina-cli --json`, checked by parsing its
 * output with json-glib.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <json-glib/json-glib.h>
#include "lamina-json.h"

static void
test_nested (void)
{
  LaminaJson *json = lamina_json_new ();
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *list;

  lamina_json_begin_object (json);
  lamina_json_key (json, "name");
  lamina_json_string (json, "a \"quoted\"\tname\n\x01");
  lamina_json_key (json, "list");
  lamina_json_begin_array (json);
  lamina_json_int (json, -3);
  lamina_json_double (json, 0.1f);
  lamina_json_double (json, NAN);
  lamina_json_bool (json, TRUE);
  lamina_json_begin_object (json);
  lamina_json_end_object (json);
  lamina_json_end_array (json);
  lamina_json_key (json, "bad-utf8");
  lamina_json_string (json, "x\xff");
  lamina_json_key (json, "none");
  lamina_json_string (json, NULL);
  lamina_json_end_object (json);
  text = lamina_json_finish (json);

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "name"), ==, "a \"quoted\"\tname\n\x01");
  list = json_object_get_array_member (root, "list");
  g_assert_cmpuint (json_array_get_length (list), ==, 5);
  g_assert_cmpint (json_array_get_int_element (list, 0), ==, -3);
  /* 9 significant digits round-trip a float32 exactly */
  g_assert_cmpfloat ((float) json_array_get_double_element (list, 1), ==, 0.1f);
  g_assert_true (json_array_get_null_element (list, 2));
  g_assert_true (json_array_get_boolean_element (list, 3));
  g_assert_true (g_utf8_validate (json_object_get_string_member (root, "bad-utf8"), -1, NULL));
  g_assert_true (json_object_get_null_member (root, "none"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/json/nested", test_nested);
  return g_test_run ();
}
