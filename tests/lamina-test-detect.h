/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-detect.h: detections of `lamina-cli detect --json` and a
 * matcher of two detection lists (float vs int8 comparisons of issue 5).
 * Needs json-glib: tests list lamina-test-detect.c in their 'sources'.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int      cls;
  double   score;
  double   box[4];   /* x0, y0, x1, y1 in image pixels */
  gboolean used;     /* matched by lamina_test_match_detections */
} LaminaTestDet;

typedef struct {
  guint  matched, missed, extra;
  double iou_sum;
} LaminaTestMatch;

/* The detections of `lamina-cli detect MODEL IMAGE --json`; asserts that it ran. */
GArray *lamina_test_detect (const char *model, const char *image);
double  lamina_test_det_iou (const LaminaTestDet *a, const LaminaTestDet *b);
/* Greedy matching, best IoU first, within a class; a pair matches at IoU
 * ≥ min_iou. Marks matched detections `used` (unmatched reference ones are
 * missed, unmatched `got` ones extra). */
LaminaTestMatch lamina_test_match_detections (GArray *ref, GArray *got, double min_iou);

G_END_DECLS
