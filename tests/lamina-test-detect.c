/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-detect.c: detections from lamina-cli, parsed back.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <json-glib/json-glib.h>
#include "lamina-test-detect.h"
#include "lamina-test-util.h"

LaminaDetections *
lamina_test_detect (const char *model, const char *image)
{
  LaminaTestRun r = lamina_test_run_cli ("detect", model, image, "--json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  LaminaDetections *dets = lamina_detections_new ();
  JsonArray *list;

  if (r.status != 0)
    g_error ("lamina-cli detect %s %s failed: %s", model, image, r.err);
  root = json_from_string (r.out, &error);
  g_assert_no_error (error);
  list = json_object_get_array_member (json_node_get_object (root), "detections");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      JsonArray *box = json_object_get_array_member (o, "box");
      LaminaDetection *d = lamina_detections_add (dets);

      g_assert_cmpuint (json_array_get_length (box), ==, 4);
      d->class_id = (int) json_object_get_int_member (o, "class_id");
      d->score = (float) json_object_get_double_member (o, "score");
      d->x0 = (float) json_array_get_double_element (box, 0);
      d->y0 = (float) json_array_get_double_element (box, 1);
      d->x1 = (float) json_array_get_double_element (box, 2);
      d->y1 = (float) json_array_get_double_element (box, 3);
    }
  lamina_test_run_clear (&r);
  return dets;
}
