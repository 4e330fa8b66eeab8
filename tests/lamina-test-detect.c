/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-detect.c: detections from lamina-cli and their matcher.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <json-glib/json-glib.h>
#include "lamina-test-detect.h"
#include "lamina-test-util.h"

GArray *
lamina_test_detect (const char *model, const char *image)
{
  LaminaTestRun r = lamina_test_run_cli ("detect", model, image, "--json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  GArray *dets = g_array_new (FALSE, TRUE, sizeof (LaminaTestDet));
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
      LaminaTestDet d = { (int) json_object_get_int_member (o, "class_id"), json_object_get_double_member (o, "score") };
      for (guint k = 0; k < 4; k++)
        d.box[k] = json_array_get_double_element (box, k);
      g_array_append_val (dets, d);
    }
  lamina_test_run_clear (&r);
  return dets;
}

double
lamina_test_det_iou (const LaminaTestDet *a, const LaminaTestDet *b)
{
  double w = MIN (a->box[2], b->box[2]) - MAX (a->box[0], b->box[0]);
  double h = MIN (a->box[3], b->box[3]) - MAX (a->box[1], b->box[1]);
  double inter = MAX (w, 0) * MAX (h, 0);
  double area_a = (a->box[2] - a->box[0]) * (a->box[3] - a->box[1]);
  double area_b = (b->box[2] - b->box[0]) * (b->box[3] - b->box[1]);

  return inter > 0 ? inter / (area_a + area_b - inter) : 0.0;
}

LaminaTestMatch
lamina_test_match_detections (GArray *ref, GArray *got, double min_iou)
{
  LaminaTestMatch m = { 0 };

  /* greedy: repeatedly take the best remaining same-class pair */
  for (;;)
    {
      double best = min_iou;
      int bi = -1, bj = -1;
      for (guint i = 0; i < ref->len; i++)
        for (guint j = 0; j < got->len; j++)
          {
            LaminaTestDet *a = &g_array_index (ref, LaminaTestDet, i), *b = &g_array_index (got, LaminaTestDet, j);
            double v = a->used || b->used || a->cls != b->cls ? 0 : lamina_test_det_iou (a, b);
            if (v >= best)
              best = v, bi = (int) i, bj = (int) j;
          }
      if (bi < 0)
        break;
      g_array_index (ref, LaminaTestDet, bi).used = g_array_index (got, LaminaTestDet, bj).used = TRUE;
      m.matched++;
      m.iou_sum += best;
    }
  m.missed = ref->len - m.matched;
  m.extra = got->len - m.matched;
  return m;
}
