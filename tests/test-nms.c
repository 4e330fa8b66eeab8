/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-nms.c: detection arrays, IoU, hard and weighted NMS, matching two
 * detection lists.
 */
#define G_LOG_DOMAIN "test-nms"

#include <math.h>
#include "vision/lamina-detection.h"

static LaminaDetection *
add (LaminaDetections *d, int cls, float score, float x0, float y0, float x1, float y1)
{
  LaminaDetection *det = lamina_detections_add (d);

  det->class_id = cls;
  det->score = score;
  det->x0 = x0; det->y0 = y0; det->x1 = x1; det->y1 = y1;
  return det;
}

static void
test_iou (void)
{
  LaminaDetection a = { .x0 = 0, .y0 = 0, .x1 = 10, .y1 = 10 };
  LaminaDetection b = { .x0 = 5, .y0 = 0, .x1 = 15, .y1 = 10 };
  LaminaDetection c = { .x0 = 10, .y0 = 0, .x1 = 20, .y1 = 10 };   /* touches a */
  LaminaDetection e = { .x0 = 3, .y0 = 3, .x1 = 3, .y1 = 3 };      /* empty */

  g_assert_cmpfloat_with_epsilon (lamina_box_iou (&a, &a), 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (lamina_box_iou (&a, &b), 50.0 / 150.0, 1e-6);
  g_assert_cmpfloat (lamina_box_iou (&a, &c), ==, 0);
  g_assert_cmpfloat (lamina_box_iou (&a, &e), ==, 0);
  g_assert_cmpfloat (lamina_box_iou (&e, &e), ==, 0);
}

static void
test_hard_class_aware (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_HARD, 0.5f, 0.25f, FALSE, 0 };

  add (d, 0, 0.8f, 1, 1, 11, 11);     /* IoU 81/119 = 0.68 with the next: suppressed */
  add (d, 0, 0.9f, 0, 0, 10, 10);
  add (d, 1, 0.7f, 1, 1, 11, 11);     /* other class: kept */
  add (d, 0, 0.6f, 20, 20, 30, 30);   /* far away: kept */
  add (d, 0, 0.2f, 50, 50, 60, 60);   /* below the score threshold */
  lamina_nms (d, &p);
  g_assert_cmpuint (d->len, ==, 3);
  g_assert_cmpfloat (d->items[0].score, ==, 0.9f);
  g_assert_cmpint (d->items[1].class_id, ==, 1);
  g_assert_cmpfloat (d->items[2].x0, ==, 20);
}

static void
test_hard_agnostic (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_HARD, 0.5f, 0.0f, TRUE, 0 };

  add (d, 0, 0.9f, 0, 0, 10, 10);
  add (d, 1, 0.7f, 1, 1, 11, 11);
  add (d, 2, 0.6f, 5, 0, 15, 10);     /* IoU 1/3 with the first: kept at 0.5 */
  lamina_nms (d, &p);
  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpint (d->items[0].class_id, ==, 0);
  g_assert_cmpint (d->items[1].class_id, ==, 2);
}

static void
test_nan_and_top_k (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_HARD, 0.5f, 0.1f, FALSE, 2 };

  add (d, 0, NAN, 0, 0, 10, 10);
  for (int i = 0; i < 5; i++)
    add (d, 0, 0.2f + 0.1f * i, 20.0f * i + 20, 0, 20.0f * i + 30, 10);
  lamina_nms (d, &p);
  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.6, 1e-6);
  g_assert_cmpfloat_with_epsilon (d->items[1].score, 0.5, 1e-6);
}

/* MediaPipe's weighted NMS: the cluster of the best box is averaged with
 * the scores as weights; the best score is kept. */
static void
test_weighted (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_WEIGHTED, 0.3f, 0.0f, TRUE, 0 };
  LaminaDetection *a, *b;

  a = add (d, 0, 0.6f, 0, 0, 10, 10);
  b = add (d, 0, 0.4f, 2, 2, 12, 12);          /* IoU 64/136 = 0.47 */
  a->n_keypoints = b->n_keypoints = 1;
  a->keypoints = g_new (LaminaPoint, 1);
  a->keypoints[0] = (LaminaPoint) { 5, 5 };
  d->items[1].keypoints = g_new (LaminaPoint, 1);
  d->items[1].keypoints[0] = (LaminaPoint) { 10, 0 };
  add (d, 0, 0.5f, 40, 40, 50, 50);             /* its own cluster */
  lamina_nms (d, &p);

  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpfloat (d->items[0].score, ==, 0.6f);
  g_assert_cmpfloat_with_epsilon (d->items[0].x0, 0.8, 1e-5);
  g_assert_cmpfloat_with_epsilon (d->items[0].y0, 0.8, 1e-5);
  g_assert_cmpfloat_with_epsilon (d->items[0].x1, 10.8, 1e-5);
  g_assert_cmpfloat_with_epsilon (d->items[0].y1, 10.8, 1e-5);
  g_assert_cmpfloat_with_epsilon (d->items[0].keypoints[0].x, 0.6 * 5 + 0.4 * 10, 1e-5);
  g_assert_cmpfloat_with_epsilon (d->items[0].keypoints[0].y, 0.6 * 5, 1e-5);
  g_assert_cmpfloat (d->items[1].x0, ==, 40);
  g_assert_cmpfloat (d->items[1].score, ==, 0.5f);
}

/* Weighted NMS must not chain: a box overlapping only a suppressed box
 * (not the cluster's best) starts a cluster of its own. */
static void
test_weighted_no_chain (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_WEIGHTED, 0.3f, 0.0f, TRUE, 0 };

  add (d, 0, 0.9f, 0, 0, 10, 10);
  add (d, 0, 0.8f, 4, 0, 14, 10);   /* IoU 6/14 with the first */
  add (d, 0, 0.7f, 8, 0, 18, 10);   /* IoU 2/18 with the first, 6/14 with the second */
  lamina_nms (d, &p);
  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (d->items[0].x0, 0.8f * 4 / 1.7f, 1e-5);
  g_assert_cmpfloat (d->items[1].x0, ==, 8);
}

static void
test_sort_and_labels (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  const char *labels[] = { "cat", "dog" };

  add (d, 1, 0.5f, 0, 0, 1, 1);
  add (d, 0, NAN, 0, 0, 1, 1);
  add (d, 5, 0.9f, 0, 0, 1, 1);
  add (d, 0, 0.5f, 1, 0, 2, 1);
  lamina_detections_sort (d);
  g_assert_cmpfloat (d->items[0].score, ==, 0.9f);
  g_assert_cmpint (d->items[1].class_id, ==, 1);   /* ties keep their order */
  g_assert_cmpint (d->items[2].class_id, ==, 0);
  g_assert_true (isnan (d->items[3].score));
  lamina_detections_set_labels (d, labels, 2);
  g_assert_null (d->items[0].label);
  g_assert_cmpstr (d->items[1].label, ==, "dog");
  g_assert_cmpstr (d->items[2].label, ==, "cat");
}

/* The straightforward O(n^2) algorithm, for comparison. */
static guint
reference_hard_nms (const LaminaDetections *d, float iou, gboolean agnostic, gboolean *keep)
{
  g_autofree guint *order = g_new (guint, d->len);
  guint n_keep = 0;

  for (guint i = 0; i < d->len; i++)
    order[i] = i;
  for (guint i = 1; i < d->len; i++)   /* insertion sort: score desc, index asc */
    for (guint j = i; j > 0 && d->items[order[j]].score > d->items[order[j - 1]].score; j--)
      {
        guint t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
      }
  for (guint i = 0; i < d->len; i++)
    {
      const LaminaDetection *a = &d->items[order[i]];

      keep[order[i]] = TRUE;
      for (guint j = 0; j < i && keep[order[i]]; j++)
        if (keep[order[j]] && (agnostic || d->items[order[j]].class_id == a->class_id)
            && lamina_box_iou (&d->items[order[j]], a) > iou)
          keep[order[i]] = FALSE;
      n_keep += keep[order[i]];
    }
  return n_keep;
}

/* Thousands of random candidates: the same survivors as the reference, fast.
 * Scenarios: small scattered boxes per class and class-agnostic, boxes of
 * very different sizes, and a detector-like crowd around a few objects. */
static void
test_many_candidates (void)
{
  struct { gboolean agnostic; float min_size, max_size; int objects; } cases[] = {
    { FALSE, 5, 60, 0 }, { TRUE, 5, 60, 0 }, { TRUE, 1, 800, 0 }, { FALSE, 20, 200, 12 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (LaminaDetections) d = lamina_detections_new ();
      g_autoptr (LaminaDetections) copy = lamina_detections_new ();
      g_autoptr (GRand) rand = g_rand_new_with_seed (42 + c);
      LaminaNmsParams p = { LAMINA_NMS_HARD, 0.45f, 0.0f, cases[c].agnostic, 0 };
      g_autofree gboolean *keep = g_new0 (gboolean, 6000);
      guint expected;
      gint64 t0;

      for (int i = 0; i < 6000; i++)
        {
          float x = g_rand_double_range (rand, 0, 1000), y = g_rand_double_range (rand, 0, 1000);
          float w = g_rand_double_range (rand, cases[c].min_size, cases[c].max_size);
          float h = g_rand_double_range (rand, cases[c].min_size, cases[c].max_size);
          int cls = g_rand_int_range (rand, 0, 80);

          if (cases[c].objects > 0)   /* jitter around one of a few objects */
            {
              int o = g_rand_int_range (rand, 0, cases[c].objects);

              x = 70.0f * o + g_rand_double_range (rand, -8, 8);
              y = 40.0f * o + g_rand_double_range (rand, -8, 8);
              cls = o % 3;
            }
          add (d, cls, g_rand_double (rand), x, y, x + w, y + h);
          add (copy, cls, d->items[i].score, x, y, x + w, y + h);
        }
      expected = reference_hard_nms (copy, 0.45f, cases[c].agnostic, keep);
      t0 = g_get_monotonic_time ();
      lamina_nms (d, &p);
      g_test_message ("6000 candidates (case %u): %.1f ms, %u kept", c,
                      (g_get_monotonic_time () - t0) / 1000.0, d->len);
      g_assert_cmpuint (d->len, ==, expected);
      for (guint i = 0; i < copy->len; i++)
        if (keep[i])
          {
            gboolean found = FALSE;

            for (guint j = 0; j < d->len && !found; j++)
              found = d->items[j].x0 == copy->items[i].x0 && d->items[j].score == copy->items[i].score;
            g_assert_true (found);
          }
      for (guint i = 1; i < d->len; i++)
        g_assert_cmpfloat (d->items[i - 1].score, >=, d->items[i].score);
    }
}

static void
test_owned_members_freed (void)
{
  g_autoptr (LaminaDetections) d = lamina_detections_new ();
  LaminaNmsParams p = { LAMINA_NMS_HARD, 0.5f, 0.0f, TRUE, 1 };

  for (int i = 0; i < 4; i++)
    {
      LaminaDetection *det = add (d, 0, 0.1f * (i + 1), 10.0f * i, 0, 10.0f * i + 5, 5);

      det->label = g_strdup ("x");
      det->text = g_strdup ("y");
      det->n_polygon = 4;
      det->polygon = g_new0 (LaminaPoint, 4);
    }
  lamina_nms (d, &p);   /* leaks would show under ASan */
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpstr (d->items[0].text, ==, "y");
  lamina_nms (d, &(LaminaNmsParams) { LAMINA_NMS_NONE, 0, 0.9f, FALSE, 0 });
  g_assert_cmpuint (d->len, ==, 0);
}

/* lamina_detections_match on hand-made boxes: greedy within a class, the
 * pair of highest IoU first, a pair only at IoU >= min_iou. */
static void
test_match (void)
{
  g_autoptr (LaminaDetections) ref = lamina_detections_new ();
  g_autoptr (LaminaDetections) got = lamina_detections_new ();
  g_autoptr (LaminaDetectionMatch) m = NULL, strict = NULL;
  static const int ref_partner[] = { 1, -1, -1, 4, -1, 5 }, got_partner[] = { -1, 0, -1, -1, 3, 5 };

  add (ref, 0, 0.9f, 0, 0, 10, 10);        /* r0 */
  add (ref, 1, 0.9f, 20, 0, 30, 10);       /* r1 */
  add (ref, 0, 0.9f, 40, 0, 50, 10);       /* r2 */
  add (ref, 0, 0.9f, 100, 100, 110, 110);  /* r3 */
  add (ref, 3, 0.9f, 200, 0, 210, 10);     /* r4 */
  add (ref, 3, 0.9f, 202, 0, 212, 10);     /* r5 */
  add (got, 0, 0.8f, 1, 0, 11, 10);        /* g0: r0 at 90/110, but g1 takes r0: extra */
  add (got, 0, 0.8f, 0, 0, 10, 10);        /* g1: r0 at 1 */
  add (got, 2, 0.8f, 20, 0, 30, 10);       /* g2: r1's box, another class: extra (r1 missed) */
  add (got, 0, 0.8f, 45, 0, 55, 10);       /* g3: r2 at 50/150, below 0.5: extra (r2 missed) */
  add (got, 0, 0.8f, 100, 100, 110, 112);  /* g4: r3 at 100/120 */
  add (got, 3, 0.8f, 202, 0, 211, 10);     /* g5: r4 at 80/110, r5 at 90/100: r5 (r4 missed) */
  m = lamina_detections_match (ref, got, 0.5f);
  g_assert_cmpuint (m->matched, ==, 3);
  g_assert_cmpuint (m->missed, ==, 3);
  g_assert_cmpuint (m->extra, ==, 3);
  for (guint i = 0; i < ref->len; i++)
    g_assert_cmpint (m->ref_partner[i], ==, ref_partner[i]);
  for (guint j = 0; j < got->len; j++)
    g_assert_cmpint (m->got_partner[j], ==, got_partner[j]);
  g_assert_cmpfloat_with_epsilon (m->ref_iou[0], 1.0, 1e-6);
  g_assert_cmpfloat (m->ref_iou[1], ==, 0);
  g_assert_cmpfloat_with_epsilon (m->ref_iou[3], 100.0 / 120.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (m->ref_iou[5], 0.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (m->mean_iou, (1.0 + 100.0 / 120.0 + 0.9) / 3, 1e-6);

  /* IoU exactly at the threshold still pairs (r5–g5 at 0.9); r3–g4 no longer */
  strict = lamina_detections_match (ref, got, 0.9f);
  g_assert_cmpuint (strict->matched, ==, 2);
  g_assert_cmpint (strict->ref_partner[5], ==, 5);
  g_assert_cmpint (strict->ref_partner[3], ==, -1);
  g_assert_cmpfloat_with_epsilon (strict->mean_iou, (1.0 + 0.9) / 2, 1e-6);
}

static void
test_match_empty (void)
{
  g_autoptr (LaminaDetections) none = lamina_detections_new ();
  g_autoptr (LaminaDetections) two = lamina_detections_new ();
  g_autoptr (LaminaDetectionMatch) a = NULL, b = NULL, c = NULL;

  add (two, 0, 0.9f, 0, 0, 10, 10);
  add (two, 0, 0.9f, 20, 0, 30, 10);
  a = lamina_detections_match (none, none, 0.5f);
  g_assert_cmpuint (a->matched + a->missed + a->extra, ==, 0);
  g_assert_true (isnan (a->mean_iou));
  b = lamina_detections_match (none, two, 0.5f);
  g_assert_cmpuint (b->matched, ==, 0);
  g_assert_cmpuint (b->missed, ==, 0);
  g_assert_cmpuint (b->extra, ==, 2);
  g_assert_cmpint (b->got_partner[0], ==, -1);
  g_assert_cmpint (b->got_partner[1], ==, -1);
  g_assert_true (isnan (b->mean_iou));
  c = lamina_detections_match (two, none, 0.5f);
  g_assert_cmpuint (c->missed, ==, 2);
  g_assert_cmpuint (c->extra, ==, 0);
  g_assert_cmpint (c->ref_partner[1], ==, -1);
  g_assert_cmpfloat (c->ref_iou[1], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nms/iou", test_iou);
  g_test_add_func ("/nms/hard-class-aware", test_hard_class_aware);
  g_test_add_func ("/nms/hard-agnostic", test_hard_agnostic);
  g_test_add_func ("/nms/nan-top-k", test_nan_and_top_k);
  g_test_add_func ("/nms/weighted", test_weighted);
  g_test_add_func ("/nms/weighted-no-chain", test_weighted_no_chain);
  g_test_add_func ("/nms/sort-labels", test_sort_and_labels);
  g_test_add_func ("/nms/many-candidates", test_many_candidates);
  g_test_add_func ("/nms/owned-members", test_owned_members_freed);
  g_test_add_func ("/nms/match", test_match);
  g_test_add_func ("/nms/match-empty", test_match_empty);
  return g_test_run ();
}
